// The agent's configuration between requests (src/agent/config-source.ts): the same text keeps
// the same generation, a changed file gives a new one (its own storage; the old storage closes
// once its last lease ends), a broken file fails requests with the configuration error until fixed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigSource } from '../../../src/agent/config-source.js';
import { openSession } from '../../../src/ops/api/session.js';
import { ConfigError } from '../../../src/util/errors.js';
import { createLogger } from '../../../src/util/logger.js';

describe('ConfigSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medusa-config-source-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ini = join(dir, 'medusa.ini');
  const write = (bucket: string, extra = ''): void => writeFileSync(ini, `[storage]\nstorage_provider = local\nbase_path = ${dir}\nbucket_name = ${bucket}\nfqdn = n1\n${extra}`);
  const lines: string[] = [];
  const log = createLogger({ verbosity: 0, withoutTimestamp: true, write: (l) => lines.push(l) });
  const closed: number[] = [];
  let opened = 0;
  const source = new ConfigSource({
    source: { configFile: ini, env: {} },
    session: { log },
    log,
    // The real sessions, their storage's close counted.
    open: async (from, options) => {
      const session = await openSession(from, options);
      const id = ++opened;
      const storage = session.storage;
      return { ...session, storage: Object.assign(Object.create(storage) as typeof storage, { close: async () => { closed.push(id); await storage.close(); } }) };
    },
  });

  test('same text: same generation, one storage', async () => {
    write('one');
    const a = await source.lease();
    const b = await source.lease();
    assert.equal(a.generation, b.generation);
    assert.equal(a.generation.id, 1);
    assert.equal(a.generation.session.config.storage.bucket_name, 'one');
    a.release();
    b.release();
    b.release();
    assert.equal(opened, 1);
    assert.deepEqual(closed, []);
  });

  test('changed text: a new generation for the next lease; the old storage closes after its last lease', async () => {
    const running = await source.lease();
    write('two');
    const [x, y] = await Promise.all([source.lease(), source.lease()]);
    assert.equal(x.generation, y.generation, 'concurrent leases share one reload');
    assert.equal(x.generation.id, 2);
    assert.equal(x.generation.session.config.storage.bucket_name, 'two');
    assert.equal(running.generation.session.config.storage.bucket_name, 'one', 'a lease keeps its generation');
    assert.deepEqual(closed, []);
    running.release();
    assert.deepEqual(closed, [1]);
    x.release();
    y.release();
    assert.ok(lines.some((l) => l.includes(`Configuration ${ini} changed`)), lines.join('\n'));
  });

  test('a broken file fails leases with the configuration error; once fixed, it is used', async () => {
    write('three', 'max_backup_count = many\n');
    await assert.rejects(source.lease(), (err: unknown) => err instanceof ConfigError && /\[storage\] max_backup_count/.test(err.message));
    await assert.rejects(source.lease(), ConfigError);
    write('three');
    const ok = await source.lease();
    assert.equal(ok.generation.id, 3);
    assert.equal(ok.generation.session.config.storage.bucket_name, 'three');
    ok.release();
    assert.deepEqual(closed, [1, 2]);
  });

  test('close: no new leases, the current storage closed', async () => {
    source.close();
    assert.deepEqual(closed, [1, 2, 3]);
    await assert.rejects(source.lease(), /stopping/);
  });
});
