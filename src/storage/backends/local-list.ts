/**
 * Listing a folder tree as object keys, for the local backend: ascending UTF-8 byte order of key,
 * streamed one folder at a time (a 200,000-file bucket is never held in memory, only the entries
 * of the folders on the current path), starting at the deepest folder the prefix names.
 *
 * The walk uses synchronous `readdir` and `stat` in short slices (`util/sync-slices.ts`: a quarter
 * of the CPU of promise-based calls, measured on 20,000 files) and one generator whatever the
 * depth: a recursive `yield*` walk paid one more async step per object and per level.
 */
import type { BigIntStats, Dirent } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTempFileName } from '../../transfer/atomic-file.js';
import { SyncSlices } from '../../util/sync-slices.js';
import { compareKeys } from '../key-rules.js';
import type { ObjectInfo } from '../types.js';
import { errnoCode } from './local-errors.js';

interface Entry {
  readonly name: string;
  readonly isDir: boolean;
  /** The name as it appears inside a key: folders sort as `name/`, which is what makes the walk's order the keys' byte order. */
  readonly sortName: string;
}

/**
 * Gives the listing of one folder its hashes: `forFolder(dirKey)` is asked once per folder
 * holding files and answers, for each file's stat, its hash or undefined; `done` is called once
 * the folder's files are all stat'ed (`whole`: every file of the folder was listed, not only those
 * matching a name prefix), with the hashes given (the caller may tidy its records then).
 */
export interface FolderHashes {
  forFolder(dirKey: string): {
    hashOf(name: string, st: BigIntStats): string | undefined;
    done(whole: boolean, given: ReadonlyMap<string, BigIntStats>): Promise<void>;
  };
}

/**
 * Yields every file under `root` whose key (path relative to `root`, `/`-separated) starts with
 * `prefix`, in pages (one folder's files at a time, never empty). `prefix` must already be
 * validated. Files that vanish while listing are skipped; temporary files of in-flight writes are
 * never yielded; symbolic links to folders are not followed. With `hashes`, each object carries the
 * hash it answers (see {@link FolderHashes}).
 */
export async function* listLocalTree(root: string, prefix: string, signal?: AbortSignal, hashes?: FolderHashes): AsyncGenerator<readonly ObjectInfo[]> {
  const cut = prefix.lastIndexOf('/') + 1;
  const slices = new SyncSlices(signal);
  // The folders being walked, outermost first; each resumes after the subfolder it entered.
  const stack = [openFolder(join(root, prefix.slice(0, cut)), prefix.slice(0, cut), prefix.slice(cut), hashes)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const page: ObjectInfo[] = [];
    let sub: Entry | undefined;
    while (top.next < top.entries.length) {
      const entry = top.entries[top.next++]!;
      if (entry.isDir) {
        sub = entry;
        break;
      }
      const st = statFile(join(top.dirPath, entry.name));
      if (!st) continue;
      const hash = top.folder?.hashOf(entry.name, st);
      if (hash !== undefined) top.given.set(entry.name, st);
      page.push({ key: `${top.dirKey}${entry.name}`, size: Number(st.size), lastModified: st.mtime, ...(hash !== undefined ? { hash } : {}) });
      if (page.length >= PAGE_SIZE) break;
    }
    if (page.length > 0) yield page;
    if (slices.due()) await slices.next();
    if (sub) stack.push(openFolder(join(top.dirPath, sub.name), `${top.dirKey}${sub.name}/`, '', hashes));
    else if (top.next >= top.entries.length) {
      stack.pop();
      await top.folder?.done(top.namePrefix === '', top.given);
    }
  }
}

/** Objects per page at most (a folder with more files gives several pages). */
const PAGE_SIZE = 1000;

interface OpenFolder {
  readonly dirPath: string;
  readonly dirKey: string;
  readonly namePrefix: string;
  readonly entries: readonly Entry[];
  /** Index of the next entry to list. */
  next: number;
  readonly folder: ReturnType<FolderHashes['forFolder']> | undefined;
  readonly given: Map<string, BigIntStats>;
}

function openFolder(dirPath: string, dirKey: string, namePrefix: string, hashes: FolderHashes | undefined): OpenFolder {
  const entries = readEntries(dirPath, namePrefix);
  const folder = entries.some((e) => !e.isDir) ? hashes?.forFolder(dirKey) : undefined;
  return { dirPath, dirKey, namePrefix, entries, next: 0, folder, given: new Map() };
}

/**
 * The keys `listLocalTree` would yield, without a `stat` per file (one `readdir` per folder), a
 * page per run of files in one folder: what makes listing a 150,000-object index fast. Anything
 * that is not a folder counts as a file here.
 */
export async function* listLocalKeys(root: string, prefix: string, signal?: AbortSignal): AsyncGenerator<readonly string[]> {
  const cut = prefix.lastIndexOf('/') + 1;
  const slices = new SyncSlices(signal);
  const stack = [{ dirPath: join(root, prefix.slice(0, cut)), dirKey: prefix.slice(0, cut), entries: readEntries(join(root, prefix.slice(0, cut)), prefix.slice(cut)), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const page: string[] = [];
    let sub: Entry | undefined;
    while (top.next < top.entries.length) {
      const entry = top.entries[top.next++]!;
      if (entry.isDir) {
        sub = entry;
        break;
      }
      page.push(`${top.dirKey}${entry.name}`);
    }
    // Keys stay in order: the files before a subfolder go out first.
    if (page.length > 0) yield page;
    if (slices.due()) await slices.next();
    if (sub) {
      const dirPath = join(top.dirPath, sub.name);
      stack.push({ dirPath, dirKey: `${top.dirKey}${sub.name}/`, entries: readEntries(dirPath, ''), next: 0 });
    } else stack.pop();
  }
}

function readEntries(dirPath: string, namePrefix: string): Entry[] {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dirPath, { withFileTypes: true });
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

function statFile(path: string): BigIntStats | undefined {
  try {
    const st = statSync(path, { bigint: true, throwIfNoEntry: false });
    // Missing (deleted while listing), sockets, fifos and links to folders are not objects.
    return st?.isFile() ? st : undefined;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}
