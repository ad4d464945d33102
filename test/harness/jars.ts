/**
 * Obtains Apache Cassandra's jars from Maven Central. The first call runs
 * `mvn -q dependency:copy-dependencies` on test/harness/pom.xml into a temporary folder and then
 * renames it into `.cache/cassandra-<version>/lib`, so an interrupted download never looks
 * complete; later calls (and other processes) reuse the folder. Maven's own ~/.m2 cache keeps the
 * downloads too, so even a wiped `.cache/` costs a copy, not a download.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTools, HARNESS_TOOLS } from './debian-packages.js';
import { execOk } from './exec.js';
import { cacheDir, harnessDir } from './paths.js';

/** The Cassandra release the harness runs; must match `<cassandra.version>` in pom.xml. */
export const CASSANDRA_VERSION = readPomVersion();

/** Where the jars of one Cassandra release are. */
export interface CassandraJars {
  version: string;
  /** Folder of every jar (cassandra-all plus dependencies). */
  libDir: string;
  /** The jamm jar, loaded as a java agent the way Cassandra's own scripts do. */
  jammJar: string;
}

function readPomVersion(): string {
  const pom = readFileSync(join(harnessDir, 'pom.xml'), 'utf8');
  const match = /<cassandra\.version>([^<]+)<\/cassandra\.version>/.exec(pom);
  if (!match?.[1]) throw new Error('test/harness/pom.xml does not declare <cassandra.version>');
  return match[1];
}

function describe(libDir: string): CassandraJars {
  const jamm = readdirSync(libDir).find((name) => /^jamm-.*\.jar$/.test(name));
  if (!jamm) throw new Error(`${libDir} holds no jamm jar: delete the folder and run again`);
  return { version: CASSANDRA_VERSION, libDir, jammJar: join(libDir, jamm) };
}

/**
 * Returns the jar folder, downloading it when missing. Safe to call from several processes at
 * once: each downloads into its own temporary folder and only one rename wins.
 */
export async function ensureCassandraJars(): Promise<CassandraJars> {
  const home = join(cacheDir(), `cassandra-${CASSANDRA_VERSION}`);
  const libDir = join(home, 'lib');
  if (existsSync(join(libDir, `cassandra-all-${CASSANDRA_VERSION}.jar`))) return describe(libDir);
  mkdirSync(home, { recursive: true });
  const staging = join(home, `lib.partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const mvn = (await ensureTools([HARNESS_TOOLS.mvn])).get('mvn') ?? 'mvn';
  try {
    await execOk(mvn, [
      '-q', '-B', '-f', join(harnessDir, 'pom.xml'), 'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`, '-DincludeScope=runtime',
    ], { timeoutMs: 15 * 60_000 });
    if (!existsSync(join(staging, `cassandra-all-${CASSANDRA_VERSION}.jar`))) {
      throw new Error(`mvn finished but ${staging} holds no cassandra-all jar`);
    }
    try {
      renameSync(staging, libDir);
    } catch (err) {
      // Another process finished first; its folder is as good as ours.
      if (!existsSync(libDir)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return describe(libDir);
}
