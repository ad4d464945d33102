/**
 * Recreating the backup's schema on a target cluster before an sstableloader restore
 * (reference §5.4 step 6), as a pure function of `schema.cql`: per non-system keyspace, create
 * the keyspace if absent, drop its materialized views, tables and types (in that order, because
 * each depends on the next), then create types, tables, indexes and materialized views in the
 * order the schema lists them (the server lists dependencies first). Functions and aggregates are
 * not recreated (as Medusa).
 */

/** What kind of object a statement creates. */
export type SchemaObjectKind = 'keyspace' | 'type' | 'table' | 'index' | 'view' | 'function' | 'aggregate' | 'other';

/** One `CREATE` statement of schema.cql. */
export interface SchemaStatement {
  readonly kind: SchemaObjectKind;
  readonly keyspace: string;
  /** Object name without keyspace (the keyspace's own name for `keyspace`), unquoted. */
  readonly name: string;
  /** The statement, without its final `;`. */
  readonly cql: string;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z0-9_]+)`;
const QUALIFIED = new RegExp(String.raw`^(${IDENT})(?:\.(${IDENT}))?`);

function unquote(id: string): string {
  return id.startsWith('"') ? id.slice(1, -1).replaceAll('""', '"') : id.toLowerCase() === id ? id : id.toLowerCase();
}

/** A name as CQL: quoted unless it is a plain lower-case identifier. */
export function cqlIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** Splits schema.cql into statements: `;` ends a statement outside quotes, comments and `$$` bodies. */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let quote: string | undefined;
  while (i < text.length) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (quote) {
      cur += c;
      if (quote === '$$' && two === '$$') {
        cur += '$';
        i += 2;
        quote = undefined;
        continue;
      }
      if (c === quote) quote = undefined;
      i++;
      continue;
    }
    if (two === '--' || two === '//') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      continue;
    }
    if (two === '/*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
      continue;
    }
    if (two === '$$') {
      quote = '$$';
      cur += two;
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    if (c === ';') {
      if (cur.trim() !== '') out.push(cur.trim());
      cur = '';
    } else cur += c;
    i++;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

const HEADS: [RegExp, SchemaObjectKind][] = [
  [/^CREATE\s+KEYSPACE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'keyspace'],
  [/^CREATE\s+TYPE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'type'],
  [/^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'table'],
  [/^CREATE\s+(?:CUSTOM\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'index'],
  [/^CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'view'],
  [/^CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'function'],
  [/^CREATE\s+(?:OR\s+REPLACE\s+)?AGGREGATE\s+(?:IF\s+NOT\s+EXISTS\s+)?/i, 'aggregate'],
];

/** Classifies one statement; an unknown statement is `other` with empty names. */
export function classifyStatement(cql: string): SchemaStatement {
  for (const [head, kind] of HEADS) {
    const m = head.exec(cql);
    if (!m) continue;
    const rest = cql.slice(m[0].length);
    if (kind === 'index') {
      // CREATE INDEX name ON ks.table (...): the keyspace is the table's.
      const on = new RegExp(String.raw`^(${IDENT})?\s*ON\s+(${IDENT})\.(${IDENT})`, 'i').exec(rest);
      if (on) return { kind, keyspace: unquote(on[2]!), name: on[1] ? unquote(on[1]) : '', cql };
      break;
    }
    const q = QUALIFIED.exec(rest);
    if (!q) break;
    if (kind === 'keyspace') return { kind, keyspace: unquote(q[1]!), name: unquote(q[1]!), cql };
    if (q[2] === undefined) break;
    return { kind, keyspace: unquote(q[1]!), name: unquote(q[2]), cql };
  }
  return { kind: 'other', keyspace: '', name: '', cql };
}

function ifNotExists(s: SchemaStatement): string {
  if (/\bIF\s+NOT\s+EXISTS\b/i.test(s.cql.slice(0, 200))) return s.cql;
  const head = s.kind === 'keyspace' ? /^CREATE\s+KEYSPACE\s+/i : s.kind === 'type' ? /^CREATE\s+TYPE\s+/i : undefined;
  return head ? s.cql.replace(head, (m) => `${m}IF NOT EXISTS `) : s.cql;
}

/** Keyspaces Medusa never recreates: every name starting with `system`. */
export function isSystemKeyspace(keyspace: string): boolean {
  return keyspace.startsWith('system');
}

/** Which keyspaces/tables to recreate; undefined = all non-system keyspaces. */
export interface SchemaSelection {
  readonly keyspaces: readonly string[];
  /** `ks.table` names. */
  readonly tables: readonly string[];
}

function selected(s: SchemaStatement, sel: SchemaSelection | undefined, viewBases: Map<string, string>): boolean {
  if (!sel || (sel.keyspaces.length === 0 && sel.tables.length === 0)) return true;
  if (sel.keyspaces.includes(s.keyspace)) return true;
  if (s.kind === 'keyspace' || s.kind === 'type') return sel.tables.some((t) => t.split('.')[0] === s.keyspace);
  if (s.kind === 'table') return sel.tables.includes(`${s.keyspace}.${s.name}`);
  if (s.kind === 'view') return sel.tables.includes(`${s.keyspace}.${viewBases.get(`${s.keyspace}.${s.name}`) ?? ''}`);
  if (s.kind === 'index') return sel.tables.some((t) => new RegExp(String.raw`\bON\s+${s.keyspace}\.${t.split('.')[1] ?? ''}\b`, 'i').test(s.cql) && t.startsWith(`${s.keyspace}.`));
  return false;
}

/**
 * The ordered statements that recreate the backup's non-system schema (optionally only the
 * selected keyspaces/tables): create keyspace if absent, drop views, tables, types (reverse order),
 * create types, tables, indexes, views.
 */
export function schemaRecreateStatements(schemaCql: string, selection?: SchemaSelection): string[] {
  const all = splitStatements(schemaCql).map(classifyStatement);
  const viewBases = new Map<string, string>();
  for (const s of all) {
    if (s.kind !== 'view') continue;
    const from = new RegExp(String.raw`\bFROM\s+(?:(${IDENT})\.)?(${IDENT})`, 'i').exec(s.cql);
    if (from) viewBases.set(`${s.keyspace}.${s.name}`, unquote(from[2]!));
  }
  const keep = all.filter((s) => s.kind !== 'other' && s.keyspace !== '' && !isSystemKeyspace(s.keyspace) && selected(s, selection, viewBases));
  const keyspaces = [...new Set(keep.map((s) => s.keyspace))];
  const out: string[] = [];
  for (const ks of keyspaces) {
    const mine = keep.filter((s) => s.keyspace === ks);
    const of = (k: SchemaObjectKind): SchemaStatement[] => mine.filter((s) => s.kind === k);
    const q = (s: SchemaStatement): string => `${cqlIdentifier(s.keyspace)}.${cqlIdentifier(s.name)}`;
    for (const s of of('keyspace')) out.push(ifNotExists(s));
    for (const s of of('view')) out.push(`DROP MATERIALIZED VIEW IF EXISTS ${q(s)}`);
    for (const s of of('table')) out.push(`DROP TABLE IF EXISTS ${q(s)}`);
    for (const s of [...of('type')].reverse()) out.push(`DROP TYPE IF EXISTS ${q(s)}`);
    for (const k of ['type', 'table', 'index', 'view'] as const) for (const s of of(k)) out.push(s.cql);
  }
  return out;
}
