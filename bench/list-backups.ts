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
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

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

function put(key: string, text: string, epoch: number): void {
  const file = join(dir, bucket, key);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  utimesSync(file, epoch, epoch);
}

function generate(): void {
  const hosts = Array.from({ length: nodes }, (_, i) => `node${String(i + 1).padStart(2, '0')}.example.com`);
  const tokenmap =
    '{' + hosts.map((h, i) => `"${h}": {"tokens": [${BigInt(i) * 768614336404564650n - 9223372036854775808n}], "is_up": true, "rack": "r1", "dc": "dc1"}`).join(', ') + '}';
  const start = 1_700_000_000;
  for (let b = 0; b < backups; b++) {
    const name = `backup-${String(b).padStart(5, '0')}`;
    for (const [i, host] of hosts.entries()) {
      const started = start + b * 3600 + i;
      const finished = started + 600;
      const section = `[{"keyspace": "ks", "columnfamily": "t-0123", "objects": [{"path": "${host}/data/ks/t-0123/nb-${b}-big-Data.db", "MD5": "d41d8cd98f00b204e9800998ecf8427e", "size": ${1000 + b}}]}]`;
      put(`${host}/${name}/meta/schema.cql`, 'CREATE KEYSPACE ks;', started);
      put(`${host}/${name}/meta/tokenmap.json`, tokenmap, started);
      put(`${host}/${name}/meta/server_version.json`, '{"server_type": "cassandra", "release_version": "5.0.4"}', started);
      put(`${host}/${name}/meta/differential`, 'differential', started);
      put(`${host}/${name}/meta/manifest.json`, section, finished);
      const idx = `index/backup_index/${name}`;
      put(`${idx}/tokenmap_${host}.json`, tokenmap, started);
      put(`${idx}/schema_${host}.cql`, 'CREATE KEYSPACE ks;', started);
      put(`${idx}/started_${host}_${started}.timestamp`, String(started), started);
      put(`${idx}/differential_${host}`, 'differential', started);
      put(`${idx}/manifest_${host}.json`, section, finished);
      put(`${idx}/finished_${host}_${finished}.timestamp`, String(finished), finished);
    }
  }
  writeFileSync(join(dir, 'medusa.ini'), `[storage]\nstorage_provider = local\nbase_path = ${dir}\nbucket_name = ${bucket}\nfqdn = ${hosts[0]}\n`);
  writeFileSync(join(dir, 'complete'), '');
}

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

if (!existsSync(join(dir, 'complete'))) {
  console.log(`generating ${backups} backups x ${nodes} nodes in ${dir} ...`);
  const t0 = Date.now();
  generate();
  console.log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
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
