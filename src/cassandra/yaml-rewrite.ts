/**
 * Pinning a node's tokens in cassandra.yaml for a remote restore (reference §5.1 step 9, §12): the
 * lines starting `initial_token:`, `num_tokens:` and `auto_bootstrap:` are replaced, missing ones
 * appended, every other byte of the file kept (comments, order, formatting). As Medusa, tokens are
 * written comma-separated in the order given (the tokenmap's), and appended lines follow a newline.
 * Unlike Medusa, a missing `num_tokens:` is appended too, so the count always matches the tokens,
 * and the file is replaced atomically with its mode kept.
 */
import { chmod, chown, readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { writeFileAtomically } from '../transfer/atomic-file.js';

/** The yaml text with the token lines set to `tokens` (decimal strings) and bootstrap off. */
export function pinTokensInYaml(text: string, tokens: readonly string[]): string {
  if (tokens.length === 0) throw new RangeError('no tokens to pin');
  const lines = text.split('\n');
  const wanted: Record<string, string> = {
    'initial_token:': `initial_token: ${tokens.join(',')}`,
    'num_tokens:': `num_tokens: ${tokens.length}`,
    'auto_bootstrap:': 'auto_bootstrap: false',
  };
  const found = new Set<string>();
  const out = lines.map((line) => {
    for (const [key, replacement] of Object.entries(wanted)) {
      if (line.startsWith(key)) {
        found.add(key);
        // Keep a Windows line ending if the file has them.
        return line.endsWith('\r') ? `${replacement}\r` : replacement;
      }
    }
    return line;
  });
  let result = out.join('\n');
  for (const key of ['initial_token:', 'num_tokens:', 'auto_bootstrap:']) {
    if (!found.has(key)) result += `\n${wanted[key]}`;
  }
  return result;
}

/** Rewrites the file at `path` with `pinTokensInYaml`, keeping its mode and owner. */
export async function pinTokensInYamlFile(path: string, tokens: readonly string[]): Promise<void> {
  const before = await stat(path);
  const text = await readFile(path, 'utf8');
  await writeFileAtomically(path, Readable.from([Buffer.from(pinTokensInYaml(text, tokens), 'utf8')]));
  await chmod(path, before.mode & 0o7777);
  await chown(path, before.uid, before.gid).catch(() => undefined);
}
