/**
 * The CLI's progress display for orchestrations over SSH (backup-cluster, restore-cluster): one
 * line per host saying which step it is on, whether it waits, runs, is done or failed, and the
 * last line that host logged, redrawn in place (cursor up + erase below) on stderr. Like
 * {@link ProgressLine} it exists only when stderr is a terminal, and log lines written meanwhile
 * go through {@link HostProgressBlock.wrapLogger}, which erases the block first and redraws it after.
 */
import type { HostStepState, ProgressReporter } from '../../ops/api/session.js';
import type { Logger } from '../../util/logger.js';
import { loggerAround } from './logger-around.js';

const REDRAW_MS = 250;

interface HostRow {
  step: string;
  state: HostStepState;
  detail: string;
  since: number;
}

function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

/** The block's lines (exported for tests); each cut to `columns - 1` so none wraps. */
export function renderHostLines(rows: ReadonlyMap<string, Omit<HostRow, 'since'> & { elapsedMs: number }>, columns?: number): string[] {
  const width = Math.max(...[...rows.keys()].map((h) => h.length), 4);
  const stepWidth = Math.max(...[...rows.values()].map((r) => r.step.length), 4);
  return [...rows].map(([host, r]) => {
    const head = `${host.padEnd(width)}  ${r.step.padEnd(stepWidth)}  ${r.state.padEnd(7)}`;
    const timed = r.state === 'running' ? `${head} ${formatElapsed(r.elapsedMs)}` : head;
    const line = r.detail !== '' && r.state === 'running' ? `${timed}  ${r.detail}` : timed;
    return columns !== undefined && columns > 1 && line.length > columns - 1 ? line.slice(0, columns - 1) : line;
  });
}

/** See the module comment. Transfer calls are ignored: the hosts transfer, not this process. */
export class HostProgressBlock implements ProgressReporter {
  private readonly rows = new Map<string, HostRow>();
  private shownLines = 0;
  private lastDraw = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A block when `stream` is a terminal, else undefined (nothing is ever drawn). */
  static forTerminal(stream: NodeJS.WriteStream = process.stderr): HostProgressBlock | undefined {
    return stream.isTTY ? new HostProgressBlock(stream) : undefined;
  }

  begin(): void {}
  transferStarted(): void {}
  bytesMoved(): void {}
  transferFinished(): void {}

  /** The run is over: the block is erased (the summary and the log say how each host did). */
  end(): void {
    this.erase();
    this.rows.clear();
  }

  hostStep(host: string, step: string, state: HostStepState, detail?: string): void {
    const row = this.rows.get(host);
    const changed = !row || row.step !== step || row.state !== state;
    this.rows.set(host, { step, state, detail: detail ?? (changed ? '' : row.detail), since: changed ? this.now() : row.since });
    this.draw(changed);
  }

  /** A logger that keeps log lines and the block from mixing. */
  wrapLogger(log: Logger): Logger {
    return loggerAround(log, () => this.erase(), () => this.draw(true));
  }

  private erase(): void {
    if (this.shownLines === 0) return;
    this.stream.write(`\r${this.shownLines > 1 ? `\x1b[${this.shownLines - 1}A` : ''}\x1b[J`);
    this.shownLines = 0;
  }

  private draw(force: boolean): void {
    if (this.rows.size === 0) return;
    const t = this.now();
    if (!force && t - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = t;
    const view = new Map([...this.rows].map(([h, r]) => [h, { step: r.step, state: r.state, detail: r.detail, elapsedMs: t - r.since }]));
    const lines = renderHostLines(view, this.stream.columns);
    this.erase();
    this.stream.write(lines.join('\n'));
    this.shownLines = lines.length;
  }
}
