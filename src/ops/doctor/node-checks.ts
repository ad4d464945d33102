/**
 * doctor's checks of this Cassandra node and the hosts cluster commands reach: nodetool over JMX,
 * CQL (with the configured credentials), the data directories (readable, room for a snapshot),
 * and SSH to every host of the cluster (`[ssh]`), which also must have a `medusa` to run.
 */
import { constants, type StatsFs } from 'node:fs';
import { access, readdir, statfs } from 'node:fs/promises';
import type { CassandraYaml } from '../../cassandra/cassandra-yaml.js';
import { CqlSession, cqlSettingsFor } from '../../cassandra/cql-session.js';
import { Nodetool } from '../../cassandra/nodetool.js';
import type { MedusaConfig } from '../../config/types.js';
import { shellQuote } from '../../remote/shell-quote.js';
import type { RemoteExecutor } from '../../remote/types.js';
import { describeError } from '../../util/errors.js';
import { fail, ok, skipped, type Outcome } from './types.js';
import type { RunCheck } from './storage-checks.js';

const NODETOOL_TIMEOUT_MS = 120_000;
const SSH_TIMEOUT_MS = 30_000;
/** Free space a data directory needs, at most: a snapshot is hard links, but compaction goes on meanwhile. */
const SNAPSHOT_ROOM_BYTES = 1024 ** 3;
/** ...or this share of the file system, on a small one. */
const SNAPSHOT_ROOM_SHARE = 0.05;

/** nodetool runs and JMX answers. */
export function nodetoolCheck(config: MedusaConfig, check: RunCheck): Promise<Outcome> {
  return check('nodetool', 'nodetool / JMX', async () => {
    const c = config.cassandra;
    try {
      const out = await new Nodetool(c).exec(['version'], NODETOOL_TIMEOUT_MS);
      return ok(out.stdout.trim().split('\n')[0] ?? 'answers');
    } catch (err) {
      const cause = (err as { cause?: { code?: unknown } }).cause;
      if (cause?.code === 'ENOENT') {
        return fail(`${c.nodetool_executable} not found`, 'install nodetool (it comes with Cassandra) or set [cassandra] nodetool_executable to its full path');
      }
      return fail(describeError(err), 'check that Cassandra runs and JMX answers: [cassandra] nodetool_host, nodetool_port, nodetool_username / nodetool_password (or nodetool_password_file_path), nodetool_ssl, nodetool_flags');
    }
  });
}

/** CQL connects with the configured credentials; returns the cluster's hosts when it does. */
export async function cqlCheck(config: MedusaConfig, yaml: CassandraYaml | undefined, check: RunCheck): Promise<string[] | undefined> {
  let hosts: string[] | undefined;
  await check('cql', 'CQL (and authentication)', async () => {
    if (!yaml) return skipped('needs a readable cassandra.yaml ([cassandra] config_file)');
    const settings = await cqlSettingsFor(config, yaml);
    let session: CqlSession;
    try {
      session = await CqlSession.connect(settings);
    } catch (err) {
      const text = describeError(err);
      if (/authenticat|credentials|password|username/i.test(text)) {
        return fail(text, 'check [cassandra] cql_username / cql_password (or MEDUSA_CQL_USERNAME / MEDUSA_CQL_PASSWORD, cql_k8s_secrets_path)');
      }
      return fail(text, `check that Cassandra runs and listens for CQL at ${settings.host}:${settings.port} (rpc_address / native_transport_port in ${yaml.path}); for TLS, [cassandra] certfile / usercert / userkey`);
    }
    try {
      const version = await session.serverVersion();
      hosts = await session.clusterHosts();
      const auth = settings.username !== undefined ? ` as ${settings.username}` : '';
      return ok(`${settings.host}:${settings.port}${auth}: Cassandra ${version.release_version}, ${hosts.length} host(s)`);
    } finally {
      await session.close().catch(() => undefined);
    }
  });
  return hosts;
}

function needRoom(fs: StatsFs): number {
  return Math.min(SNAPSHOT_ROOM_BYTES, Math.floor(fs.blocks * fs.bsize * SNAPSHOT_ROOM_SHARE));
}

const mib = (n: number): string => `${(n / 1024 ** 2).toFixed(1)} MiB`;

/** Each data directory is readable and has room for a snapshot. */
export async function dataDirChecks(yaml: CassandraYaml | undefined, check: RunCheck): Promise<void> {
  if (!yaml) {
    await check('data-dirs', 'data directories', () => Promise.resolve(skipped('needs a readable cassandra.yaml ([cassandra] config_file)')));
    return;
  }
  for (const dir of yaml.dataFileDirectories) {
    await check(`data-dir:${dir}`, `data directory ${dir}`, async () => {
      try {
        await access(dir, constants.R_OK | constants.X_OK);
        await readdir(dir);
      } catch (err) {
        return fail(`cannot read ${dir}: ${describeError(err)}`, `run medusa as a user that can read ${dir} (usually the cassandra user or root), or fix data_file_directories in ${yaml.path}`);
      }
      const fs = await statfs(dir);
      const free = fs.bavail * fs.bsize;
      const need = needRoom(fs);
      if (free < need || fs.ffree < 1000) {
        return fail(`${mib(free)} free, ${fs.ffree} inodes free; a snapshot needs at least ${mib(need)}`, `free space on the file system of ${dir} (nodetool clearsnapshot removes old snapshots; nodetool listsnapshots shows them)`);
      }
      return ok(`readable, ${mib(free)} free`);
    });
  }
}

/** SSH reaches every host of the cluster and finds `medusa` there (for backup-cluster, restore-cluster). */
export async function sshChecks(hosts: readonly string[] | undefined, medusaCommand: string, executor: () => RemoteExecutor, check: RunCheck): Promise<void> {
  const program = medusaCommand.trim().split(/\s+/)[0]!;
  if (!hosts) {
    await check('ssh', '[ssh] hosts', () => Promise.resolve(skipped('needs CQL (the hosts come from the cluster topology)')));
    return;
  }
  let remote: RemoteExecutor | undefined;
  try {
    for (const host of hosts) {
      await check(`ssh:${host}`, `[ssh] ${host}`, async () => {
        try {
          remote ??= executor();
        } catch (err) {
          return fail(describeError(err), 'set [ssh] key_file to a readable private key (without cert_file), or start an SSH agent (SSH_AUTH_SOCK)');
        }
        let stderr = '';
        const outcome = await remote.run(host, `command -v ${shellQuote(program)}`, { stdout: () => undefined, stderr: (c) => (stderr += c.toString()) }, { timeoutMs: SSH_TIMEOUT_MS });
        if (outcome.failure && outcome.failure.kind !== 'exit') return fail(outcome.failure.message, sshFix(outcome.failure.kind, host));
        if (outcome.exitCode !== 0) return fail(`connected, but ${program} is not there${stderr ? ` (${stderr.trim()})` : ''}`, `install medusa on ${host} (backup-cluster and restore-cluster run ${program} there; --medusa-command or MEDUSA_REMOTE_COMMAND name another)`);
        return ok(`connected; ${program} found`);
      });
    }
  } finally {
    await remote?.close().catch(() => undefined);
  }
}

function sshFix(kind: string, host: string): string {
  switch (kind) {
    case 'auth':
      return `authorize the key of [ssh] key_file (or the agent's) for [ssh] username on ${host}`;
    case 'unknown-host-key':
      return `add ${host}'s host key to known_hosts (ssh-keyscan ${host} >> ~/.ssh/known_hosts, after checking it)`;
    case 'host-key-mismatch':
      return `${host}'s host key changed: check why before replacing its known_hosts entry`;
    default:
      return `check that ${host} runs sshd on [ssh] port and that this machine reaches it`;
  }
}
