/**
 * Finds the Java runtime Cassandra 5.0 runs on. Cassandra 5.0 supports Java 11 and 17 only, and
 * this machine also carries a newer JDK, so `java` on PATH is not trusted blindly: the first of
 * MEDUSA_TEST_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*17* and PATH's `java` whose major version is 17
 * or 11 wins. The answer is baked into the generated scripts as an absolute path.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execCapture } from './exec.js';

/** A Java installation the harness may use. */
export interface JavaRuntime {
  /** Absolute path of the `java` executable. */
  java: string;
  /** Its JAVA_HOME (the folder holding `bin/java`). */
  home: string;
  /** Major version, 17 or 11. */
  major: number;
}

const SUPPORTED = [17, 11];

async function majorVersion(java: string): Promise<number | undefined> {
  const result = await execCapture(java, ['-version'], { timeoutMs: 30_000 }).catch(() => undefined);
  if (result?.code !== 0) return undefined;
  // `openjdk version "17.0.15" 2025-04-15` or `"11.0.2"`; Java 8's "1.8.0" never matches SUPPORTED.
  const match = /version "(\d+)/.exec(result.stderr);
  return match ? Number(match[1]) : undefined;
}

function candidates(): string[] {
  const out: string[] = [];
  for (const home of [process.env.MEDUSA_TEST_JAVA_HOME, process.env.JAVA_HOME]) {
    if (home) out.push(join(home, 'bin', 'java'));
  }
  if (existsSync('/usr/lib/jvm')) {
    for (const name of readdirSync('/usr/lib/jvm').sort()) {
      if (/(^|[^0-9])17([^0-9]|$)/.test(name)) out.push(join('/usr/lib/jvm', name, 'bin', 'java'));
    }
  }
  out.push('java');
  return out;
}

let cached: Promise<JavaRuntime> | undefined;

/** Resolves the runtime (once per process); rejects with what was tried when none fits. */
export function findJavaRuntime(): Promise<JavaRuntime> {
  cached ??= (async () => {
    const tried: string[] = [];
    for (const candidate of candidates()) {
      const major = await majorVersion(candidate);
      tried.push(`${candidate} (${major ?? 'not runnable'})`);
      if (major !== undefined && SUPPORTED.includes(major)) {
        const which = candidate.includes('/') ? candidate : await resolveOnPath(candidate);
        const java = realpathSync(which);
        return { java, home: dirname(dirname(java)), major };
      }
    }
    throw new Error(`no Java 17 or 11 found for Cassandra 5.0; tried: ${tried.join(', ')}. ` +
      'Install openjdk-17-jre-headless or set MEDUSA_TEST_JAVA_HOME.');
  })();
  return cached;
}

async function resolveOnPath(name: string): Promise<string> {
  const result = await execCapture('sh', ['-c', `command -v ${name}`]);
  const path = result.stdout.trim();
  if (!path) throw new Error(`${name} is not on PATH`);
  return path;
}
