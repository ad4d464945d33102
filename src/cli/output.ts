/** Results go to stdout (logs go to stderr): the one place that writes command results. */

/** Writes one line of a command's result to stdout. */
export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}
