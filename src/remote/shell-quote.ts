/** POSIX shell quoting for command lines sent to remote hosts. */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, quoted so that `sh` reads it back unchanged (single quotes unless it is plainly safe). */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** An argv as one shell command line. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
