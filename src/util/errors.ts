/**
 * The error classes every layer throws. `src/cli/main.ts` turns them into one line on stderr and an
 * exit code, so callers may rely on: a `MedusaError` message is fit to show an operator as-is
 * (it names the file, section, key, object or host at fault, and never holds a secret).
 */

/** Exit codes shared with Python Medusa: 0 success, 1 operation failed, 2 bad config or usage. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
} as const;

/** Base class: an expected failure with a message for the operator and the exit code to use. */
export class MedusaError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCode.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command-line arguments (exit 2). */
export class UsageError extends MedusaError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** One problem found in the configuration, located by section and key. */
export interface ConfigProblem {
  section: string;
  key?: string;
  message: string;
}

/**
 * The configuration is unusable (exit 2). Carries every problem found, not only the first,
 * so an operator fixes the file in one pass.
 */
export class ConfigError extends MedusaError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], file?: string) {
    const where = file ? `${file}: ` : '';
    const lines = problems.map((p) => (p.key ? `[${p.section}] ${p.key}: ${p.message}` : `[${p.section}] ${p.message}`));
    super(`${where}${lines.join('; ')}`, ExitCode.usage);
    this.problems = problems;
  }
}

/** An operation ran and failed (exit 1): a missing backup, a damaged bucket, a failed snapshot... */
export class OperationError extends MedusaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.failed, options);
  }
}

/**
 * An operation was stopped through its `AbortSignal` (exit 1). It stopped at a point where what it
 * leaves behind is as its entry point says (a backup: snapshot cleared, lock released, never
 * reported complete); `cause` is the signal's reason.
 */
export class OperationAbortedError extends OperationError {}

/** Throws `OperationAbortedError` ("<what> stopped: <reason>") once `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(signal, what);
}

/** The `OperationAbortedError` for an aborted `signal`. */
export function abortedError(signal: AbortSignal, what: string): OperationAbortedError {
  const reason: unknown = signal.reason;
  return new OperationAbortedError(`${what} stopped: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: reason });
}

/** Text of any thrown value, for log lines. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
