/**
 * Reading `[storage] key_file` for the object-store backends. Each provider parses its own format;
 * this gives them one way to read the file and to report a bad one: a `ConfigError` on
 * `[storage] key_file` that names the provider and the path, never the file's content (it holds
 * secrets).
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../util/errors.js';

function keyFileError(message: string): ConfigError {
  return new ConfigError([{ section: 'storage', key: 'key_file', message }]);
}

/**
 * Reads the key file at `path` and parses it with `parse`, which returns the credentials or a
 * sentence saying what is wrong (`expected` is appended to it in the error).
 */
export async function readKeyFile<T>(provider: string, path: string, parse: (text: string) => T | string, expected = ''): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw keyFileError(`${provider}: cannot read ${path} (${code})`);
  }
  const parsed = parse(text);
  if (typeof parsed === 'string') throw keyFileError(`${provider}: ${path} ${parsed}${expected ? ` (${expected})` : ''}`);
  return parsed;
}
