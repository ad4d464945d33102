/**
 * Masks passwords given on a command line, as Medusa 0.31's `redact_password`: the value of
 * `-pw`/`--password` (nodetool, and sstableloader's CQL password) becomes `***` in a logged
 * command and in its output. We also mask sstableloader's `-tspw`/`-kspw` (truststore and keystore
 * passwords), which Medusa never logs. `-pwf <file>` names a file and is kept.
 *
 * Callers run the original argv and log only the masked copy. The logger applies
 * {@link redactPasswordText} to every line as well, so a command that reaches a log through an
 * error message or a remote host's output is masked too.
 */

/** What a password value is replaced with (Medusa 0.31's mask). */
export const PASSWORD_MASK = '***';

/** Options whose next argument (or `=value`) is a password. */
const PASSWORD_OPTIONS: ReadonlySet<string> = new Set(['-pw', '--password', '-tspw', '-kspw']);

/** `-pw secret`, `--password=secret`, ...: an option standing alone as a word, then its value. */
const PASSWORD_ARGUMENT = /(?<!\S)(-pw|--password|-tspw|-kspw)(\s+|=)\S+/g;

/** `text` (a command line, a log line, a command's output) with every password value masked. */
export function redactPasswordText(text: string): string {
  return text.replace(PASSWORD_ARGUMENT, `$1$2${PASSWORD_MASK}`);
}

/** A copy of `argv` safe to log: each argument after a password option, and each `--password=x`, masked. */
export function redactPasswordArgs(argv: readonly string[]): string[] {
  return argv.map((arg, i) => (i > 0 && PASSWORD_OPTIONS.has(argv[i - 1]!) ? PASSWORD_MASK : redactPasswordText(arg)));
}
