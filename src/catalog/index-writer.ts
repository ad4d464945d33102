/**
 * Writes index entries (reference §3.1, §4.7): the start entries when a node backup begins, the
 * finish entries once its manifest is written, and the node's latest-backup pointer. Used by
 * `backup` and by `build-index`.
 */
import { indexKey, latestBackupKey, type BucketLayout } from '../layout/keys.js';
import { putText } from '../storage/helpers.js';
import type { StorageBackend } from '../storage/types.js';

export interface IndexWriterContext {
  readonly storage: StorageBackend;
  readonly layout: BucketLayout;
}

/** What the start entries record about a node backup. */
export interface NodeBackupStart {
  readonly name: string;
  readonly fqdn: string;
  /** Epoch seconds (schema.cql's LastModified). */
  readonly started: number;
  readonly differential: boolean;
  /** The exact bytes of meta/tokenmap.json and meta/schema.cql. */
  readonly tokenmapText: string;
  readonly schemaText: string;
}

/** `tokenmap_F.json`, `schema_F.cql`, `started_F_<epoch>.timestamp` and, if differential, `differential_F`. */
export async function writeIndexStart(ctx: IndexWriterContext, start: NodeBackupStart): Promise<void> {
  const { name: backupName, fqdn } = start;
  await putText(ctx.storage, indexKey(ctx.layout, { kind: 'tokenmap', backupName, fqdn }), start.tokenmapText);
  await putText(ctx.storage, indexKey(ctx.layout, { kind: 'schema', backupName, fqdn }), start.schemaText);
  await putText(ctx.storage, indexKey(ctx.layout, { kind: 'started', backupName, fqdn, epoch: start.started }), String(start.started));
  if (start.differential) await putText(ctx.storage, indexKey(ctx.layout, { kind: 'differential', backupName, fqdn }), 'differential');
}

/** `manifest_F.json` (a copy of the manifest) and `finished_F_<epoch>.timestamp`. */
export async function writeIndexFinish(
  ctx: IndexWriterContext,
  /** `manifestText`: the manifest's exact text, or its bytes. */
  finish: { readonly name: string; readonly fqdn: string; readonly finished: number; readonly manifestText: string | Uint8Array },
): Promise<void> {
  const { name: backupName, fqdn } = finish;
  await putText(ctx.storage, indexKey(ctx.layout, { kind: 'manifest', backupName, fqdn }), finish.manifestText);
  await putText(ctx.storage, indexKey(ctx.layout, { kind: 'finished', backupName, fqdn, epoch: finish.finished }), String(finish.finished));
}

/** Points `index/latest_backup/F/` at a finished node backup. */
export async function setLatestBackup(
  ctx: IndexWriterContext,
  latest: { readonly name: string; readonly fqdn: string; readonly tokenmapText: string },
): Promise<void> {
  await putText(ctx.storage, latestBackupKey(ctx.layout, latest.fqdn, 'tokenmap.json'), latest.tokenmapText);
  await putText(ctx.storage, latestBackupKey(ctx.layout, latest.fqdn, 'backup_name.txt'), latest.name);
}
