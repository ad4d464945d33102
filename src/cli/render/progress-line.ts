/**
 * The CLI's implementation of the operations' progress interface (transfer/progress.ts): a
 * one-line transfer display for terminals, files, bytes, rate and ETA, redrawn in place at most
 * four times a second on stderr. Only created when stderr is a TTY (cron output stays
 * clean); log lines written meanwhile go through {@link ProgressLine.wrapLogger}, which erases the
 * line first and redraws it after.
 */
import type { ProgressReporter, TransferBatch } from '../../ops/api/session.js';
import type { Logger } from '../../util/logger.js';
import { loggerAround } from './logger-around.js';
import { formatBytesStr } from '../../util/medusa-format.js';

const REDRAW_MS = 250;

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

const VERBS: Record<TransferBatch['direction'], string> = { upload: 'Uploading', download: 'Downloading', hash: 'Hashing', delete: 'Deleting' };

/**
 * The text of the line (exported for tests). A batch without bytes (a purge's deletes, whose sizes
 * are not at hand) counts objects: `Deleting 300/1000 objects, 150 objects/s, ETA 00:05`.
 */
export function renderProgress(p: { direction?: TransferBatch['direction']; files: number; totalFiles: number; bytes: number; totalBytes: number; elapsedMs: number }): string {
  const verb = VERBS[p.direction ?? 'upload'];
  if (p.totalBytes === 0 && p.totalFiles > 0) {
    const rate = p.elapsedMs > 0 ? (p.files * 1000) / p.elapsedMs : 0;
    const eta = rate > 0 ? (p.totalFiles - p.files) / rate : Number.NaN;
    return `${verb} ${p.files}/${p.totalFiles} objects, ${Math.round(rate)} objects/s, ETA ${formatEta(eta)}`;
  }
  const rate = p.elapsedMs > 0 ? (p.bytes * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? (p.totalBytes - p.bytes) / rate : Number.NaN;
  return `${verb} ${p.files}/${p.totalFiles} files, ${formatBytesStr(p.bytes)} of ${formatBytesStr(p.totalBytes)}, ${formatBytesStr(Math.round(rate))}/s, ETA ${formatEta(eta)}`;
}

export class ProgressLine implements ProgressReporter {
  private direction: TransferBatch['direction'] = 'upload';
  private files = 0;
  private totalFiles = 0;
  private bytesDone = 0;
  private totalBytes = 0;
  private startedAt = 0;
  private lastDraw = 0;
  private shown = false;
  private active = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A progress line when `stream` is a terminal, else undefined (nothing is ever drawn). */
  static forTerminal(stream: NodeJS.WriteStream = process.stderr): ProgressLine | undefined {
    return stream.isTTY ? new ProgressLine(stream) : undefined;
  }

  begin(batch: TransferBatch): void {
    // Each batch counts from zero (a purge or a verify runs one batch per node).
    this.files = 0;
    this.bytesDone = 0;
    this.lastDraw = 0;
    this.direction = batch.direction;
    this.totalFiles = batch.files;
    this.totalBytes = batch.bytes;
    this.startedAt = this.now();
    this.active = batch.files > 0;
  }

  transferStarted(_name: string, _size: number): void {}

  bytesMoved(delta: number): void {
    this.bytesDone += delta;
    this.draw(false);
  }

  transferFinished(_name: string, ok: boolean): void {
    if (!ok) return;
    this.files += 1;
    this.draw(false);
  }

  end(): void {
    this.erase();
    this.active = false;
  }

  /** A logger that keeps log lines and the progress line from mixing. */
  wrapLogger(log: Logger): Logger {
    return loggerAround(log, () => this.erase(), () => this.draw(true));
  }

  private erase(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }

  private draw(force: boolean): void {
    if (!this.active) return;
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const text = renderProgress({ direction: this.direction, files: this.files, totalFiles: this.totalFiles, bytes: this.bytesDone, totalBytes: this.totalBytes, elapsedMs: t - this.startedAt });
    this.stream.write(`\r\x1b[K${text}`);
    this.shown = true;
  }
}
