// How `bin/medusa` picks the Node.js it runs on (README "Install"): $MEDUSA_NODE, else the PATH's
// node when it is 22.13+ or 24+, else one fetched into <checkout>/.cache/node/, else one clear line
// and exit 2. Each case runs a copy of bin/medusa in a scratch checkout (its dist/ a link to ours)
// so that the cache folder is the test's own.
//
// The "old node" here is a stand-in: a shell script that answers `--version` with v20.20.2 and
// fails on anything else (a real Node 20 would have to be downloaded for this alone). The good
// node is the one running this test (Node 24 under ./npmw), reached through symlinks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MEDUSA_BIN, scratchDir } from '../support/cli.js';

const version = (JSON.parse(
  spawnSync(process.execPath, ['-p', 'JSON.stringify(require(process.argv[1]).version)', join(MEDUSA_BIN, '..', '..', 'package.json')], { encoding: 'utf8' }).stdout,
) as string);

describe('bin/medusa finds a supported Node.js', () => {
  const scratch = scratchDir('medusa-node-selection-');
  const checkout = join(scratch.dir, 'checkout');
  const bin = join(checkout, 'bin', 'medusa');
  const oldNodeDir = join(scratch.dir, 'old');
  const goodNodeDir = join(scratch.dir, 'good');
  const systemDirs = '/usr/local/sbin:/usr/sbin:/sbin:/bin';

  before(() => {
    mkdirSync(join(checkout, 'bin'), { recursive: true });
    copyFileSync(MEDUSA_BIN, bin);
    symlinkSync(join(MEDUSA_BIN, '..', '..', 'dist'), join(checkout, 'dist'));
    mkdirSync(oldNodeDir);
    writeFileSync(join(oldNodeDir, 'node'), '#!/bin/sh\n[ "$1" = --version ] && { echo v20.20.2; exit 0; }\necho "old node must not run medusa" >&2\nexit 97\n', { mode: 0o755 });
    mkdirSync(goodNodeDir);
    symlinkSync(process.execPath, join(goodNodeDir, 'node'));
  });
  after(() => scratch.cleanup());

  function run(file: string, path: string, extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { PATH: path, HOME: scratch.dir, ...extraEnv };
    const r = spawnSync(file, ['--version'], { env, encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw r.error;
    return r;
  }

  test('a supported node on the PATH runs it', () => {
    const r = run(bin, `${goodNodeDir}:${systemDirs}`);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, `${version}\n`, '']);
  });

  test('an old PATH node and nothing else: one line naming what to do, exit 2', () => {
    const r = run(bin, `${oldNodeDir}:${systemDirs}`);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^medusa: needs Node\.js 22\.13\+ or 24\+ \(the PATH has .*\/old\/node, v20\.20\.2\): install one, set MEDUSA_NODE to one, or run .*scripts\/node24\.sh once .*\n$/);
  });

  test('MEDUSA_NODE wins over the PATH, and an unsupported one is refused', () => {
    const good = run(bin, `${oldNodeDir}:${systemDirs}`, { MEDUSA_NODE: join(goodNodeDir, 'node') });
    assert.deepEqual([good.status, good.stdout, good.stderr], [0, `${version}\n`, '']);
    const old = run(bin, `${goodNodeDir}:${systemDirs}`, { MEDUSA_NODE: join(oldNodeDir, 'node') });
    assert.equal(old.status, 2);
    assert.match(old.stderr, /^medusa: MEDUSA_NODE=.*\/old\/node is not Node\.js 22\.13\+ or 24\+ \(v20\.20\.2\)\n$/);
  });

  test('with an old PATH node, the Node fetched into .cache/node runs it, also through a symlink (npm link)', () => {
    const cached = join(checkout, '.cache', 'node', 'v24.0.0-linux-x64', 'bin');
    mkdirSync(cached, { recursive: true });
    symlinkSync(process.execPath, join(cached, 'node'));
    const r = run(bin, `${oldNodeDir}:${systemDirs}`);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, `${version}\n`, '']);
    const link = join(scratch.dir, 'global-bin', 'medusa');
    mkdirSync(join(link, '..'));
    symlinkSync(bin, link);
    const viaLink = run(link, `${oldNodeDir}:${systemDirs}`);
    assert.deepEqual([viaLink.status, viaLink.stdout, viaLink.stderr], [0, `${version}\n`, '']);
  });

  test('`node bin/medusa` (the file is also an ES module) runs on the node given', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', timeout: 60_000 });
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, `${version}\n`, '']);
  });
});
