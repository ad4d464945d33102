/**
 * Listing a folder tree as object keys, for the local backend: ascending UTF-8 byte order of key,
 * streamed one folder at a time (a 200,000-file bucket is never held in memory, only the entries
 * of the folders on the current path), starting at the deepest folder the prefix names.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempFileName } from '../../transfer/atomic-file.js';
import { compareKeys } from '../key-rules.js';
import type { ObjectInfo } from '../types.js';
import { errnoCode } from './local-errors.js';

/** Files stat'ed at once; keeps the disk busy without holding many pending calls. */
const STAT_BATCH = 64;

interface Entry {
  readonly name: string;
  readonly isDir: boolean;
  /** The name as it appears inside a key: folders sort as `name/`, which is what makes the walk's order the keys' byte order. */
  readonly sortName: string;
}

/**
 * Yields every file under `root` whose key (path relative to `root`, `/`-separated) starts with
 * `prefix`. `prefix` must already be validated. Files that vanish while listing are skipped;
 * temporary files of in-flight writes are never yielded; symbolic links to folders are not followed.
 */
export async function* listLocalTree(root: string, prefix: string, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
  const cut = prefix.lastIndexOf('/') + 1;
  const dirKey = prefix.slice(0, cut);
  yield* walk(join(root, dirKey), dirKey, prefix.slice(cut), signal);
}

/**
 * The keys `listLocalTree` would yield, without a `stat` per file (one `readdir` per folder), a
 * page per run of files in one folder: what makes listing a 150,000-object index fast. Anything
 * that is not a folder counts as a file here.
 */
export async function* listLocalKeys(root: string, prefix: string, signal?: AbortSignal): AsyncGenerator<readonly string[]> {
  const cut = prefix.lastIndexOf('/') + 1;
  const dirKey = prefix.slice(0, cut);
  yield* walkKeys(join(root, dirKey), dirKey, prefix.slice(cut), signal);
}

async function* walkKeys(dirPath: string, dirKey: string, namePrefix: string, signal?: AbortSignal): AsyncGenerator<readonly string[]> {
  signal?.throwIfAborted();
  let page: string[] = [];
  for (const entry of await readEntries(dirPath, namePrefix)) {
    if (!entry.isDir) {
      page.push(`${dirKey}${entry.name}`);
      continue;
    }
    // Keys stay in order: the files before this folder go out first.
    if (page.length > 0) yield page;
    page = [];
    yield* walkKeys(join(dirPath, entry.name), `${dirKey}${entry.name}/`, '', signal);
  }
  if (page.length > 0) yield page;
}

async function* walk(dirPath: string, dirKey: string, namePrefix: string, signal?: AbortSignal): AsyncGenerator<ObjectInfo> {
  signal?.throwIfAborted();
  const entries = await readEntries(dirPath, namePrefix);
  let batch: Entry[] = [];
  for (const entry of entries) {
    if (!entry.isDir) {
      batch.push(entry);
      if (batch.length >= STAT_BATCH) {
        yield* statBatch(dirPath, dirKey, batch);
        batch = [];
      }
      continue;
    }
    yield* statBatch(dirPath, dirKey, batch);
    batch = [];
    yield* walk(join(dirPath, entry.name), `${dirKey}${entry.name}/`, '', signal);
  }
  yield* statBatch(dirPath, dirKey, batch);
}

async function readEntries(dirPath: string, namePrefix: string): Promise<Entry[]> {
  let dirents: Dirent[];
  try {
    dirents = await readdir(dirPath, { withFileTypes: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
  const entries: Entry[] = [];
  for (const d of dirents) {
    if (!d.name.startsWith(namePrefix)) continue;
    if (d.isDirectory()) entries.push({ name: d.name, isDir: true, sortName: `${d.name}/` });
    else if (!isTempFileName(d.name)) entries.push({ name: d.name, isDir: false, sortName: d.name });
  }
  entries.sort((a, b) => compareKeys(a.sortName, b.sortName));
  return entries;
}

async function* statBatch(dirPath: string, dirKey: string, batch: readonly Entry[]): AsyncGenerator<ObjectInfo> {
  if (batch.length === 0) return;
  const infos = await Promise.all(batch.map((e) => statFile(join(dirPath, e.name), `${dirKey}${e.name}`)));
  for (const info of infos) if (info) yield info;
}

async function statFile(path: string, key: string): Promise<ObjectInfo | undefined> {
  try {
    const st = await stat(path);
    // Sockets, fifos and links to folders are not objects.
    if (!st.isFile()) return undefined;
    return { key, size: st.size, lastModified: st.mtime };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined; // deleted while listing
    throw err;
  }
}
