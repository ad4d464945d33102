/**
 * CQL as the cluster commands need it: a session to a named host (the seed target) using the
 * `[cassandra]` credentials/TLS and the native port of the local cassandra.yaml (9042 when this
 * machine has no cassandra.yaml, e.g. a bastion), the seed's tokenmap, the local seeds named as
 * tokenmap keys, and running schema statements.
 */
import { readCassandraYaml, type CassandraYaml } from '../cassandra/cassandra-yaml.js';
import { CqlSession, cqlSettingsFor, hostKeyOf, type CqlSettings } from '../cassandra/cql-session.js';
import { systemResolver, type HostResolver } from '../config/fqdn.js';
import type { MedusaConfig } from '../config/types.js';
import type { TokenMap } from '../domain/tokenmap.js';
import type { Clock } from '../util/clock.js';
import { describeError, OperationError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

type Config = Pick<MedusaConfig, 'cassandra' | 'kubernetes'>;

async function localYaml(config: Config, log: Logger): Promise<CassandraYaml | undefined> {
  try {
    return await readCassandraYaml(config.cassandra.config_file);
  } catch (err) {
    log.debug(`No local cassandra.yaml (${describeError(err)}): native port 9042, no seeds`);
    return undefined;
  }
}

/** Session settings for `host`. */
export async function settingsForHost(config: Config, host: string, log: Logger): Promise<CqlSettings> {
  const yaml = await localYaml(config, log);
  if (yaml) return { ...(await cqlSettingsFor(config, yaml)), host };
  const c = config.cassandra;
  return {
    host,
    port: 9042,
    ...(c.cql_username && c.cql_password ? { username: c.cql_username, password: c.cql_password } : {}),
    ...(c.certfile ? { tls: { certfile: c.certfile, ...(c.usercert && c.userkey ? { usercert: c.usercert, userkey: c.userkey } : {}) } } : {}),
    resolveIpAddresses: c.resolve_ip_addresses,
    k8sMode: config.kubernetes.enabled,
  };
}

async function withSession<T>(config: Config, host: string, o: { clock: Clock; log: Logger; attempts?: number }, work: (s: CqlSession) => Promise<T>): Promise<T> {
  const settings = await settingsForHost(config, host, o.log);
  const attempts = o.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    let session: CqlSession;
    try {
      session = await CqlSession.connect(settings);
    } catch (err) {
      if (attempt >= attempts) throw err;
      o.log.warning(`CQL to ${host} failed (attempt ${attempt} of ${attempts}): ${describeError(err)}`);
      await o.clock.sleep(5000 * attempt);
      continue;
    }
    try {
      return await work(session);
    } finally {
      await session.close().catch(() => undefined);
    }
  }
}

/** The tokenmap of `seed`'s datacenter. */
export function readSeedTopology(config: Config, seed: string, o: { clock: Clock; log: Logger }): Promise<TokenMap> {
  return withSession(config, seed, o, (s) => s.tokenMap());
}

/** Runs `statements` one by one on `host`; the first failure stops, naming the statement. */
export function executeStatements(config: Config, host: string, statements: readonly string[], o: { clock: Clock; log: Logger }): Promise<void> {
  return withSession(config, host, o, async (s) => {
    for (const st of statements) {
      o.log.debug(`CQL on ${host}: ${st}`);
      try {
        await s.execute(st);
      } catch (err) {
        throw new OperationError(`schema statement failed on ${host}: ${describeError(err)}\n  ${st}`, { cause: err });
      }
    }
  });
}

/** The seeds of the local cassandra.yaml, named as tokenmap keys are (reference §5.4: SimpleSeedProvider only). */
export async function localSeedKeys(config: Config, log: Logger, resolver: HostResolver = systemResolver): Promise<Set<string>> {
  const yaml = await localYaml(config, log);
  const out = new Set<string>();
  for (const seed of yaml?.seeds ?? []) {
    const name = seed.replace(/:\d+$/, '');
    const ip = await resolver.lookup(name).catch(() => name);
    out.add(await hostKeyOf(ip, { resolveIpAddresses: config.cassandra.resolve_ip_addresses, k8sMode: config.kubernetes.enabled }, resolver));
  }
  return out;
}

/** Resolves once `host` accepts a CQL session; rejects with the last error after `timeoutMs`. */
export async function waitCqlUp(config: Config, host: string, timeoutMs: number, o: { clock: Clock; log: Logger }): Promise<void> {
  const settings = await settingsForHost(config, host, o.log);
  const deadline = o.clock.now() + timeoutMs;
  for (;;) {
    try {
      const session = await CqlSession.connect(settings);
      await session.close().catch(() => undefined);
      return;
    } catch (err) {
      if (o.clock.now() >= deadline) throw err;
      o.log.debug(`Waiting for ${host} to answer CQL: ${describeError(err)}`);
      await o.clock.sleep(5000);
    }
  }
}
