/**
 * The Jolokia JVM agent (Maven Central `org.jolokia:jolokia-agent-jvm`, classifier `javaagent`)
 * for harness nodes: the real Jolokia HTTP API that Medusa's Kubernetes snapshot route talks to.
 * The jar is fetched once with `mvn dependency:copy` into `.cache/jolokia-<version>/` (through a
 * temporary name, so an interrupted download never looks complete); Maven's ~/.m2 keeps it too.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTools, HARNESS_TOOLS } from './debian-packages.js';
import { execOk } from './exec.js';
import { cacheDir } from './paths.js';

/** The Jolokia release the harness attaches (2.x: the `jolokia-agent-jvm` artifact). */
export const JOLOKIA_VERSION = '2.2.9';

/** The agent jar, downloading it when missing. */
export async function ensureJolokiaAgent(): Promise<string> {
  const dir = join(cacheDir(), `jolokia-${JOLOKIA_VERSION}`);
  const jar = join(dir, 'jolokia-agent-jvm-javaagent.jar');
  if (existsSync(jar)) return jar;
  mkdirSync(dir, { recursive: true });
  const staging = join(dir, `partial-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const mvn = (await ensureTools([HARNESS_TOOLS.mvn])).get('mvn') ?? 'mvn';
  try {
    await execOk(mvn, [
      '-q', '-B', 'dependency:copy', `-Dartifact=org.jolokia:jolokia-agent-jvm:${JOLOKIA_VERSION}:jar:javaagent`,
      `-DoutputDirectory=${staging}`, '-Dmdep.stripVersion=true',
    ], { timeoutMs: 10 * 60_000, cwd: staging });
    const fetched = join(staging, 'jolokia-agent-jvm-javaagent.jar');
    if (!existsSync(fetched)) throw new Error(`mvn finished but ${staging} holds no jolokia-agent-jvm-javaagent.jar`);
    renameSync(fetched, jar);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return jar;
}

/** The `-javaagent:` flag serving Jolokia on `127.0.0.1:<port>` (no discovery multicast). */
export function jolokiaJvmOption(jar: string, port: number): string {
  return `-javaagent:${jar}=host=127.0.0.1,port=${port},discoveryEnabled=false`;
}

/** The agent's endpoint URL for that port (Jolokia 2's default context `/jolokia/`). */
export function jolokiaUrl(port: number): string {
  return `http://127.0.0.1:${port}/jolokia/`;
}
