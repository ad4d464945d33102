/**
 * Reads `medusa.ini` text the way Python's `configparser.ConfigParser(interpolation=None)` does,
 * because that is what Python Medusa uses and our promise is "same file" (design §1).
 *
 * Why not the `ini` npm package (already a dependency): on real configparser files it gives
 * different answers. It does not know the `key: value` colon syntax; it cuts values at `;` and `#`
 * (configparser has no inline comments, so `query = SELECT ... # x` keeps the `# x`); it turns
 * `true`/`false` into booleans and `key[]` into arrays; it keeps key case (configparser lower-cases
 * keys, so `MaxBytes` and `maxbytes` are the same key); it has no indented continuation lines and
 * silently keeps the last of duplicated keys, where configparser refuses the file. A reader of
 * about a hundred lines that follows configparser's rules is smaller than the workarounds.
 *
 * Rules followed (configparser defaults): sections `[name]` (case kept, text up to the last `]`);
 * options split at the first `=` or `:`, key lower-cased, key and value trimmed; whole-line comments
 * starting with `#` or `;` (after optional indentation); a line indented deeper than its option's
 * line continues the value (joined with a newline; empty lines inside are kept, trailing ones
 * dropped); duplicate sections or options in one file, an option before any section, a line with
 * no delimiter or an empty key are errors. `[DEFAULT]` is returned like any section; the caller
 * gives its keys to every section. A leading byte-order mark is ignored.
 */

/** One option as read from the file. */
export interface IniEntry {
  /** The key, lower-cased as configparser does. */
  readonly key: string;
  /** The value, trimmed; continuation lines joined with `\n`. */
  readonly value: string;
  /** 1-based line of the key, for error messages. */
  readonly line: number;
}

/** One `[section]` with its options in file order. */
export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: readonly IniEntry[];
}

/** A syntax problem, located by line. */
export interface IniSyntaxError {
  readonly line: number;
  readonly section?: string;
  readonly message: string;
}

/** Result of {@link readIni}: every section, and every syntax problem found (reading goes on after one). */
export interface IniDocument {
  readonly sections: readonly IniSection[];
  readonly errors: readonly IniSyntaxError[];
}

interface OpenEntry {
  key: string;
  lines: string[];
  line: number;
  indent: number;
}

interface OpenSection {
  name: string;
  line: number;
  entries: OpenEntry[];
}

const SECTION_HEADER = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

/** Parses configparser-style text. Pure; never throws. */
export function readIni(text: string): IniDocument {
  const errors: IniSyntaxError[] = [];
  const sections: OpenSection[] = [];
  let current: OpenSection | undefined;
  let open: OpenEntry | undefined;
  let headerMissingReported = false;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) return; // a comment never ends a value
    if (trimmed === '') {
      // configparser keeps blank lines inside a multi-line value; trailing ones are dropped at the end.
      open?.lines.push('');
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (open && indent > open.indent) {
      open.lines.push(trimmed);
      return;
    }
    const header = SECTION_HEADER.exec(trimmed);
    if (header) {
      const name = header[1] ?? '';
      open = undefined;
      if (sections.some((s) => s.name === name)) {
        errors.push({ line: lineNo, section: name, message: `section [${name}] appears twice` });
        current = undefined; // its options would be ambiguous: ignore them (the error is reported)
        return;
      }
      current = { name, line: lineNo, entries: [] };
      sections.push(current);
      return;
    }
    const option = OPTION.exec(trimmed);
    if (!current) {
      if (sections.length === 0 && !headerMissingReported) {
        errors.push({ line: lineNo, message: 'text before the first [section] header' });
        headerMissingReported = true;
      }
      open = undefined;
      return;
    }
    const key = option?.[1]?.trimEnd().toLowerCase() ?? '';
    if (!option || key === '') {
      errors.push({
        line: lineNo,
        section: current.name,
        // The line is not quoted: a malformed line may hold a password.
        message: option ? 'option with an empty key' : 'line is not "key = value" (no "=" or ":")',
      });
      open = undefined;
      return;
    }
    if (current.entries.some((e) => e.key === key)) {
      errors.push({ line: lineNo, section: current.name, message: `option "${key}" appears twice in [${current.name}]` });
      open = undefined;
      return;
    }
    open = { key, lines: [option[3] ?? ''], line: lineNo, indent };
    current.entries.push(open);
  });

  return {
    errors,
    sections: sections.map((s) => ({
      name: s.name,
      line: s.line,
      entries: s.entries.map((e) => ({ key: e.key, line: e.line, value: e.lines.join('\n').trimEnd() })),
    })),
  };
}
