/**
 * Benchmark: `list-backups` and `status` on a large local bucket (issue: 2,000 differential backups
 * x 12 nodes = 24,000 node backups). Target: `list-backups` under 3 s on this machine.
 *
 * Usage: node --import tsx bench/list-backups.ts [--backups 2000] [--nodes 12] [--dir DIR] [--python MEDUSA_BIN]
 * The bucket is generated once into DIR (default .cache/bench/list-backups-<backups>x<nodes>) and reused.
 * With --python (or MEDUSA_PY_BIN set) Python Medusa's `list-backups` runs on the same bucket as the
 * baseline, with a 600 s cap.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBigBucket } from '../test/support/big-bucket.js';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    backups: { type: 'string', default: '2000' },
    nodes: { type: 'string', default: '12' },
    dir: { type: 'string' },
    python: { type: 'string' },
  },
});
const backups = Number(values.backups);
const nodes = Number(values.nodes);
const dir = values.dir ?? join(root, '.cache', 'bench', `list-backups-${backups}x${nodes}`);
const bucket = 'bench';
const python = values.python ?? process.env['MEDUSA_PY_BIN'];

function time(label: string, command: string, args: string[], timeoutMs = 600_000): number | undefined {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    console.log(`${label}: failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}) after ${seconds.toFixed(2)} s: ${(r.stderr ?? '').trim().split('\n').pop()}`);
    return undefined;
  }
  console.log(`${label}: ${seconds.toFixed(2)} s (${r.stdout.split('\n').filter(Boolean).length} lines)`);
  return seconds;
}

const fresh = !existsSync(join(dir, 'complete'));
if (fresh) console.log(`generating ${backups} backups x ${nodes} nodes in ${dir} ...`);
const t0 = Date.now();
const { hosts } = ensureBigBucket(dir, backups, nodes, bucket);
if (fresh) console.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
writeFileSync(join(dir, 'medusa.ini'), `[storage]\nstorage_provider = local\nbase_path = ${dir}\nbucket_name = ${bucket}\nfqdn = ${hosts[0]}\n`);
const ini = join(dir, 'medusa.ini');
const medusa = join(root, 'bin', 'medusa');
const ours = time('medusa-ts list-backups', medusa, ['--config-file', ini, 'list-backups']);
time('medusa-ts list-backups --show-all', medusa, ['--config-file', ini, 'list-backups', '--show-all']);
time('medusa-ts status (last backup)', medusa, ['--config-file', ini, 'status', '--backup-name', `backup-${String(backups - 1).padStart(5, '0')}`]);
if (ours !== undefined) console.log(`target: list-backups < 3 s -> ${ours < 3 ? 'met' : 'NOT met'} (${ours.toFixed(2)} s)`);
if (python) {
  const theirs = time('python medusa list-backups (baseline)', python, ['--config-file', ini, 'list-backups']);
  if (ours !== undefined && theirs !== undefined) console.log(`ratio python/medusa-ts: ${(theirs / ours).toFixed(1)}x`);
}
