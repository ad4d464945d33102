/** The log lines ending a node backup (reference §4.6) and Python's `timedelta` text. */
import { formatBytesStr } from '../util/medusa-format.js';
import type { Logger } from '../util/logger.js';

/** `H:MM:SS[.ffffff]`, as Python prints a `datetime.timedelta` under a day. */
export function formatDuration(ms: number): string {
  const totalMicros = Math.max(0, Math.round(ms * 1000));
  const seconds = Math.floor(totalMicros / 1_000_000);
  const micros = totalMicros % 1_000_000;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const base = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return micros === 0 ? base : `${base}.${String(micros).padStart(6, '0')}`;
}

/** `YYYY-MM-DD HH:MM:SS` local time. */
function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Figures of a finished node backup. */
export interface BackupSummary {
  readonly name: string;
  /** The backup's mode, named in the first summary line. */
  readonly differential: boolean;
  /** Epoch ms: command start, start of data extraction (after any stagger), end. */
  readonly started: number;
  readonly extractStarted: number;
  readonly finished: number;
  /** Files uploaded (new + re-uploaded). */
  readonly uploaded: number;
  readonly replaced: number;
  readonly kept: number;
  /** Bytes the manifest lists. */
  readonly totalSize: number;
  /** Bytes uploaded (new + re-uploaded) and bytes reused from the store. */
  readonly uploadedBytes: number;
  readonly keptBytes: number;
}

/** Logs Medusa's summary lines; the first is Medusa 0.31's `Backup done: <name> (<mode>)`. */
export function logBackupSummary(log: Logger, s: BackupSummary): void {
  log.info(`Backup done: ${s.name} (${s.differential ? 'differential' : 'full'})`);
  log.info(`- Started: ${localTime(s.started)}`);
  log.info(`- Started extracting data: ${localTime(s.extractStarted)}`);
  log.info(`- Finished: ${localTime(s.finished)}`);
  log.info(`- Real duration: ${formatDuration(s.finished - s.extractStarted)} (excludes time waiting for other nodes)`);
  log.info(`- ${s.uploaded + s.kept} files, ${formatBytesStr(s.totalSize)}`);
  log.info(`- ${s.uploaded} files copied from host (${s.uploaded - s.replaced} new, ${s.replaced} reuploaded)`);
  log.info(`- ${s.kept} kept from previous backup (${s.name})`);
}
