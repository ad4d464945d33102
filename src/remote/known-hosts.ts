/**
 * OpenSSH `known_hosts` checking: plain entries (`name,addr keytype base64`), `[host]:port` entries
 * for other ports, and hashed entries (`|1|salt|hmac-sha1`). `@revoked` lines make a key refused;
 * `@cert-authority` lines are ignored (no certificates here). A host with entries but none equal to
 * the presented key is a mismatch (possible man-in-the-middle); a host without entries is unknown.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  readonly patterns: readonly string[];
  readonly hashed?: { readonly salt: Buffer; readonly hash: Buffer };
  readonly keyType: string;
  /** The key blob, base64 as in the file. */
  readonly key: string;
  readonly revoked: boolean;
}

/** Parses a known_hosts file's text; malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      const marker = fields.shift();
      if (marker === '@cert-authority') continue;
      revoked = marker === '@revoked';
    }
    const [hosts, keyType, key] = fields;
    if (hosts === undefined || keyType === undefined || key === undefined) continue;
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) continue;
      out.push({ patterns: [], hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }, keyType, key, revoked });
    } else {
      out.push({ patterns: hosts.split(','), keyType, key, revoked });
    }
  }
  return out;
}

/** The name a host is listed under: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'i');
}

function entryNames(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.equals(entry.hashed.hash);
  }
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) matched = true;
  }
  return matched;
}

/** Result of checking a presented host key. */
export type HostKeyVerdict = { readonly ok: true } | { readonly ok: false; readonly kind: 'host-key-mismatch' | 'unknown-host-key'; readonly message: string };

/**
 * Checks the key blob a server presented against the entries for `host` (and `port`).
 * `file` only names the file in messages.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, presented: Buffer, file: string): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const presentedB64 = presented.toString('base64');
  const mine = entries.filter((e) => entryNames(e, name));
  if (mine.some((e) => e.revoked && e.key === presentedB64)) {
    return { ok: false, kind: 'host-key-mismatch', message: `the host key of ${name} is marked @revoked in ${file}` };
  }
  if (mine.some((e) => !e.revoked && e.key === presentedB64)) return { ok: true };
  if (mine.length > 0) {
    return {
      ok: false,
      kind: 'host-key-mismatch',
      message: `HOST KEY MISMATCH for ${name}: the key it presented is not the one recorded in ${file} (the host was reinstalled, or someone is intercepting the connection); connection refused`,
    };
  }
  return { ok: false, kind: 'unknown-host-key', message: `${name} is not in ${file}: add its key (e.g. ssh-keyscan ${host} >> ${file}) after checking its fingerprint` };
}

/** Reads a known_hosts file; a missing file counts as empty (every host then is unknown). */
export function readKnownHosts(path: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
