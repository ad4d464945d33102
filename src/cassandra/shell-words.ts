/**
 * Splitting a command line into words the way Python's `shlex.split` does in POSIX mode (Medusa
 * splits `start_cmd` / `stop_cmd` with it): white space separates words; single quotes keep
 * everything literally; double quotes keep everything but `\` before `\`, `"`, `$`, `` ` `` or a
 * newline; a backslash outside quotes keeps the next character. No globbing, no variables, no
 * comments (shlex.split's default).
 */

/** The command's words. Throws `Error` naming the problem for an unclosed quote or a trailing backslash. */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('no closing quotation');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i += 1;
      for (;;) {
        if (i >= line.length) throw new Error('no closing quotation');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '\\"$`\n'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i += 1;
        }
      }
      i += 1;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('no escaped character');
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}
