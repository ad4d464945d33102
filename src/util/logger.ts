/**
 * Logging like Medusa's: every log line goes to stderr (results go to stdout), formatted as
 * Python's `[%(asctime)s] %(levelname)s: %(message)s` (asctime = `YYYY-MM-DD HH:MM:SS,mmm`, local
 * time), or `LEVEL: msg` with `--without-log-timestamp`. Optionally also to a rotating file
 * (`[logging]`). Known secret values are replaced by `****` in every line, whatever the message,
 * and so is the value of any `-pw`/`--password` option (`***`, Medusa 0.31's redaction of logged
 * commands and their output).
 */
import { appendFileSync, existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { redactPasswordText } from './redact-password.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

const LEVEL_VALUE: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

/** The logging interface operations receive. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** True when DEBUG lines are shown (e.g. to decide whether to print a stack trace). */
  readonly debugEnabled: boolean;
}

/** A rotating log file, as Python's RotatingFileHandler with `maxBytes` and `backupCount`. */
export interface FileLogTarget {
  readonly file: string;
  readonly level: LogLevel;
  /** Python logging format string; `%(asctime)s`, `%(levelname)s`, `%(message)s`, `%(name)s` are supported. */
  readonly format: string;
  readonly maxBytes: number;
  readonly backupCount: number;
}

export interface LoggerOptions {
  /** `-v` count: 0 → INFO, 1 or more → DEBUG. */
  readonly verbosity: number;
  readonly withoutTimestamp: boolean;
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Python's default `asctime`: local time `YYYY-MM-DD HH:MM:SS,mmm`. */
export function pythonAsctime(d: Date): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`
  );
}

function applyFormat(format: string, level: LogLevel, message: string, when: Date): string {
  return format.replace(/%\((asctime|levelname|message|name|levelno)\)[sd]/g, (_m, field: string) => {
    switch (field) {
      case 'asctime':
        return pythonAsctime(when);
      case 'levelname':
        return level;
      case 'levelno':
        return String(LEVEL_VALUE[level]);
      case 'name':
        return 'root';
      default:
        return message;
    }
  });
}

function rotate(target: FileLogTarget): void {
  if (target.backupCount <= 0) {
    unlinkSync(target.file);
    return;
  }
  for (let i = target.backupCount - 1; i >= 1; i--) {
    const from = `${target.file}.${i}`;
    if (existsSync(from)) renameSync(from, `${target.file}.${i + 1}`);
  }
  renameSync(target.file, `${target.file}.1`);
}

function writeToFile(target: FileLogTarget, line: string): void {
  const bytes = Buffer.byteLength(line) + 1;
  if (target.maxBytes > 0 && existsSync(target.file) && statSync(target.file).size + bytes > target.maxBytes) rotate(target);
  appendFileSync(target.file, `${line}\n`);
}

class MedusaLogger implements Logger {
  private secrets: string[] = [];
  private file: FileLogTarget | undefined;
  private consoleLevel: number;
  private withoutTimestamp: boolean;
  private write: (line: string) => void;
  private now: () => Date;

  constructor(options: LoggerOptions) {
    this.consoleLevel = options.verbosity > 0 ? LEVEL_VALUE.DEBUG : LEVEL_VALUE.INFO;
    this.withoutTimestamp = options.withoutTimestamp;
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = options.now ?? (() => new Date());
  }

  get debugEnabled(): boolean {
    return this.consoleLevel <= LEVEL_VALUE.DEBUG;
  }

  configure(options: LoggerOptions): void {
    this.consoleLevel = options.verbosity > 0 ? LEVEL_VALUE.DEBUG : LEVEL_VALUE.INFO;
    this.withoutTimestamp = options.withoutTimestamp;
    if (options.write) this.write = options.write;
    if (options.now) this.now = options.now;
  }

  setFileTarget(target: FileLogTarget | undefined): void {
    this.file = target;
  }

  /** Values that must never appear in a log line (passwords, keys). Short values are ignored. */
  setSecrets(values: readonly string[]): void {
    this.secrets = values.filter((v) => v.length >= 3).sort((a, b) => b.length - a.length);
  }

  private scrub(message: string): string {
    let out = message;
    for (const s of this.secrets) out = out.split(s).join('****');
    return redactPasswordText(out);
  }

  private log(level: LogLevel, message: string): void {
    const text = this.scrub(message);
    const when = this.now();
    if (LEVEL_VALUE[level] >= this.consoleLevel) {
      this.write(this.withoutTimestamp ? `${level}: ${text}` : `[${pythonAsctime(when)}] ${level}: ${text}`);
    }
    const file = this.file;
    if (file && LEVEL_VALUE[level] >= LEVEL_VALUE[file.level]) {
      try {
        writeToFile(file, applyFormat(file.format, level, text, when));
      } catch (err) {
        // A full disk must not abort a backup; say so once on the console and stop file logging.
        this.file = undefined;
        this.write(`WARNING: cannot write log file ${file.file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  debug(message: string): void {
    this.log('DEBUG', message);
  }
  info(message: string): void {
    this.log('INFO', message);
  }
  warning(message: string): void {
    this.log('WARNING', message);
  }
  error(message: string): void {
    this.log('ERROR', message);
  }
}

/** The process's logger: INFO to stderr until `src/cli/main.ts` configures it from the options. */
export const logger = new MedusaLogger({ verbosity: 0, withoutTimestamp: false });

/** Creates an independent logger (tests). */
export function createLogger(options: LoggerOptions): MedusaLogger {
  return new MedusaLogger(options);
}

export type { MedusaLogger };
