/**
 * Listing a folder tree as object keys, for the local backend: ascending UTF-8 byte order of key,
 * streamed one folder at a time (a 200,000-file bucket is never held in memory, only the entries
 * of the folders on the current path), starting at the deepest folder the prefix names.
 */
import type { BigIntStats, Dirent } from 'node:fs';
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
 * Gives the listing of one folder its hashes: `forFolder(dirKey, whole)` is asked once per folder
 * holding files (`whole`: every file of the folder is listed, not only those matching a name
 * prefix) and answers, for each file's stat, its hash or undefined; `done` is called once the
 * folder's files are all stat'ed, with the hashes given (the caller may tidy its records then).
 */
export interface FolderHashes {
  forFolder(dirKey: string): Promise<{
    hashOf(name: string, st: BigIntStats): string | undefined;
    done(whole: boolean, given: ReadonlyMap<string, BigIntStats>): Promise<void>;
  }>;
}

/**
 * Yields every file under `root` whose key (path relative to `root`, `/`-separated) starts with
 * `prefix`. `prefix` must already be validated. Files that vanish while listing are skipped;
 * temporary files of in-flight writes are never yielded; symbolic links to folders are not followed.
 * With `hashes`, each object carries the hash it answers (see {@link FolderHashes}).
 */
export async function* listLocalTree(root: string, prefix: string, signal?: AbortSignal, hashes?: FolderHashes): AsyncGenerator<ObjectInfo> {
  const cut = prefix.lastIndexOf('/') + 1;
  const dirKey = prefix.slice(0, cut);
  yield* walk(join(root, dirKey), dirKey, prefix.slice(cut), signal, hashes);
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

type Folder = Awaited<ReturnType<FolderHashes['forFolder']>>;

async function* walk(dirPath: string, dirKey: string, namePrefix: string, signal?: AbortSignal, hashes?: FolderHashes): AsyncGenerator<ObjectInfo> {
  signal?.throwIfAborted();
  // The folder's records are read while it is listed (one more read per folder would otherwise
  // add its latency to every folder of a 2,500-table pool).
  const [entries, folder] = await Promise.all([readEntries(dirPath, namePrefix), hashes?.forFolder(dirKey)]);
  const given = new Map<string, BigIntStats>();
  let batch: Entry[] = [];
  for (const entry of entries) {
    if (!entry.isDir) {
      batch.push(entry);
      if (batch.length >= STAT_BATCH) {
        yield* statBatch(dirPath, dirKey, batch, folder, given);
        batch = [];
      }
      continue;
    }
    yield* statBatch(dirPath, dirKey, batch, folder, given);
    batch = [];
    yield* walk(join(dirPath, entry.name), `${dirKey}${entry.name}/`, '', signal, hashes);
  }
  yield* statBatch(dirPath, dirKey, batch, folder, given);
  await folder?.done(namePrefix === '', given);
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

async function* statBatch(dirPath: string, dirKey: string, batch: readonly Entry[], folder: Folder | undefined, given: Map<string, BigIntStats>): AsyncGenerator<ObjectInfo> {
  if (batch.length === 0) return;
  const stats = await Promise.all(batch.map((e) => statFile(join(dirPath, e.name))));
  for (let i = 0; i < batch.length; i++) {
    const st = stats[i];
    if (!st) continue;
    const name = batch[i]!.name;
    const hash = folder?.hashOf(name, st);
    if (hash !== undefined) given.set(name, st);
    yield { key: `${dirKey}${name}`, size: Number(st.size), lastModified: st.mtime, ...(hash !== undefined ? { hash } : {}) };
  }
}

async function statFile(path: string): Promise<BigIntStats | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    // Sockets, fifos and links to folders are not objects.
    return st.isFile() ? st : undefined;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined; // deleted while listing
    throw err;
  }
}
