/**
 * The MD5 the local backend computed when it stored each object, so its listing can carry a hash
 * without reading the bucket (a differential reuses an object only when its hash matches the
 * file's; plan/backup-plan.ts).
 *
 * Where: OUTSIDE the bucket folder, in a tree mirroring it (`<records root>/<folder key>/`, one
 * append-only log `stored-md5.jsonl` per folder; the root is `<base_path>/.medusa-ts/stored-md5/
 * <bucket_name>/`). Python Medusa lists every file under the bucket folder (its pool listing, its
 * orphan purge, its decommissioned-node scan), so a record inside it would show up as an object, be
 * taken for a node or be purged as an orphan; outside it, Medusa never sees one.
 *
 * What a record holds: the object's name in its folder, size, inode and mtime (ns) as they were
 * when the bytes were written (before the rename into place, which keeps both), and the MD5. A
 * record counts only while the object's current `stat` still shows the same size, inode and
 * mtime: an object rewritten since (Python Medusa overwrites in place, which changes the mtime; a
 * copy or a restore of the bucket folder changes the inode) has no known hash, so it is never
 * reused, only re-uploaded elsewhere. Losing records (a crash before they are written, the folder
 * deleted) has the same, safe, effect.
 *
 * Writes: a `durable: false` put's record waits in memory until `flush` (one append per folder
 * instead of one per object); other puts append at once. Appends of one line are single `write`
 * calls on an `O_APPEND` file, so concurrent writers never interleave inside a line, and a torn
 * last line is skipped when read. A log holding far more lines than its folder has files is
 * rewritten with the live ones when the folder is listed.
 */
import type { BigIntStats } from 'node:fs';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { writeFileAtomically, type FileStamp } from '../../transfer/atomic-file.js';
import { errnoCode } from './local-errors.js';

/** File name of a folder's log. */
export const RECORD_LOG = 'stored-md5.jsonl';

/** Lines beyond this many more than the folder's live records make a listing compact the log. */
const COMPACT_SLACK = 64;

/** No log, or records that cannot be read: no hash is known (never a failure: the hashes only enable reuse). */
function noLog(err: unknown): string {
  const code = errnoCode(err);
  if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EACCES') throw err;
  return '';
}

/** One stored object, as recorded. */
export interface HashRecord {
  readonly size: number;
  readonly ino: string;
  readonly mtimeNs: string;
  readonly md5: string;
}

interface Line {
  readonly n: string;
  readonly s: number;
  readonly i: string;
  readonly m: string;
  readonly h: string;
}

/** A folder's records, by object name, as read from its log (last line wins). */
export interface FolderRecords {
  get(name: string): HashRecord | undefined;
  /** Lines in the log (compaction decides on it). */
  readonly lines: number;
}

/** The recorded MD5 of an object whose current stat is `st`, or undefined when none holds for it. */
export function recordedHash(record: HashRecord | undefined, st: BigIntStats): string | undefined {
  if (!record) return undefined;
  if (BigInt(record.size) !== st.size || record.ino !== st.ino.toString() || record.mtimeNs !== st.mtimeNs.toString()) return undefined;
  return record.md5;
}

function parseLine(text: string): Line | undefined {
  try {
    const l = JSON.parse(text) as Partial<Line>;
    if (typeof l.n !== 'string' || typeof l.s !== 'number' || typeof l.i !== 'string' || typeof l.m !== 'string' || typeof l.h !== 'string') return undefined;
    if (!/^[0-9a-f]{32}$/.test(l.h)) return undefined;
    return l as Line;
  } catch {
    return undefined;
  }
}

function lineOf(name: string, size: number, stamp: FileStamp, md5: string): string {
  const l: Line = { n: name, s: size, i: stamp.ino.toString(), m: stamp.mtimeNs.toString(), h: md5 };
  return `${JSON.stringify(l)}\n`;
}

/** The records of one local bucket. */
export class HashRecords {
  /** Lines waiting for `flush`, by folder key. */
  private readonly pending = new Map<string, string[]>();
  /** Every record this process made, by key: answers before its line reaches the log. */
  private readonly recent = new Map<string, HashRecord>();
  private readonly madeFolders = new Set<string>();

  constructor(readonly root: string) {}

  private logPath(dirKey: string): string {
    return join(this.root, dirKey, RECORD_LOG);
  }

  /** Records that the object `key` was written with `stamp`, `size` bytes and MD5 `md5`. */
  async record(key: string, size: number, stamp: FileStamp, md5: string, durable: boolean): Promise<void> {
    if (!/^[0-9a-f]{32}$/.test(md5)) return;
    const cut = key.lastIndexOf('/') + 1;
    const dirKey = key.slice(0, cut);
    const line = lineOf(key.slice(cut), size, stamp, md5);
    this.recent.set(key, { size, ino: stamp.ino.toString(), mtimeNs: stamp.mtimeNs.toString(), md5 });
    if (!durable) {
      const lines = this.pending.get(dirKey);
      if (lines) lines.push(line);
      else this.pending.set(dirKey, [line]);
      return;
    }
    await this.append(dirKey, line);
  }

  /**
   * Appends to a folder's log. A failure is an error of the put or flush that asked for it: an
   * object stored without its record could never be reused, and every later differential would
   * store its file again.
   */
  private async append(dirKey: string, text: string): Promise<void> {
    try {
      await this.appendOnce(dirKey, text);
    } catch (err) {
      throw new Error(`cannot record stored MD5s in ${this.logPath(dirKey)} (the folder beside the bucket must be writable): ${(err as Error).message}`, { cause: err });
    }
  }

  private async appendOnce(dirKey: string, text: string): Promise<void> {
    if (!this.madeFolders.has(dirKey)) {
      await mkdir(join(this.root, dirKey), { recursive: true });
      this.madeFolders.add(dirKey);
    }
    try {
      await appendFile(this.logPath(dirKey), text);
    } catch (err) {
      // A delete pruned the (empty) record folder meanwhile: make it again, once.
      if (errnoCode(err) !== 'ENOENT') throw err;
      await mkdir(join(this.root, dirKey), { recursive: true });
      await appendFile(this.logPath(dirKey), text);
    }
  }

  /** Writes every pending record (one append per folder). */
  async flush(): Promise<void> {
    const batches = [...this.pending];
    this.pending.clear();
    for (const [dirKey, lines] of batches) await this.append(dirKey, lines.join(''));
  }

  /** The records of folder `dirKey` (`a/b/`, or '' for the bucket folder). A missing or unreadable log gives none. */
  async folder(dirKey: string): Promise<FolderRecords> {
    return this.parse(dirKey, await readFile(this.logPath(dirKey), 'utf8').catch(noLog));
  }

  /**
   * `folder`, read synchronously: for the local listing, which reads one log per folder of the
   * pool in its synchronous slices (`local-list.ts`); a log is a few hundred bytes per object.
   */
  folderSync(dirKey: string): FolderRecords {
    let text: string;
    try {
      text = readFileSync(this.logPath(dirKey), 'utf8');
    } catch (err) {
      text = noLog(err);
    }
    return this.parse(dirKey, text);
  }

  private parse(dirKey: string, text: string): FolderRecords {
    const byName = new Map<string, HashRecord>();
    let lines = 0;
    for (const raw of text.split('\n')) {
      if (raw === '') continue;
      lines++;
      const l = parseLine(raw);
      if (l) byName.set(l.n, { size: l.s, ino: l.i, mtimeNs: l.m, md5: l.h });
    }
    const recent = this.recent;
    return {
      lines,
      get: (name) => recent.get(`${dirKey}${name}`) ?? byName.get(name),
    };
  }

  /** The record of one key (for `stat`), read synchronously (see `folderSync`). */
  ofSync(key: string): HashRecord | undefined {
    const cut = key.lastIndexOf('/') + 1;
    return this.folderSync(key.slice(0, cut)).get(key.slice(cut));
  }

  /**
   * Rewrites the log of `dirKey` with only the records of `live` (the folder's objects with a
   * matching record), when it holds many more lines. Best effort: a failure leaves the log as it was.
   */
  async compact(dirKey: string, records: FolderRecords, live: ReadonlyMap<string, HashRecord>): Promise<void> {
    if (records.lines <= 2 * live.size + COMPACT_SLACK || this.pending.has(dirKey)) return;
    const text = [...live].map(([name, r]) => lineOf(name, r.size, { ino: BigInt(r.ino), mtimeNs: BigInt(r.mtimeNs) }, r.md5)).join('');
    await writeFileAtomically(this.logPath(dirKey), Readable.from([Buffer.from(text)])).catch(() => undefined);
  }

  /** Drops the log of a folder the bucket no longer has, and the record folders left empty. */
  async forgetFolder(dirKey: string): Promise<void> {
    for (const [key] of this.recent) if (key.startsWith(dirKey) && !key.slice(dirKey.length).includes('/')) this.recent.delete(key);
    this.pending.delete(dirKey);
    this.madeFolders.delete(dirKey);
    await unlink(this.logPath(dirKey)).catch(() => undefined);
    let dir = join(this.root, dirKey);
    while (dir.length > this.root.length && dir.startsWith(this.root)) {
      try {
        await rmdir(dir);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') return;
      }
      dir = dirname(dir);
    }
  }
}
