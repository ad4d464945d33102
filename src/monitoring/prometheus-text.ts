/**
 * The Prometheus text exposition format (version 0.0.4) for the sink's samples: rendering, and
 * reading back a file this module wrote so a later command can update it. Pure: text in, text out.
 *
 * Rendering is deterministic (families in `FAMILIES` order, samples sorted by labels), so two
 * runs with the same state write the same bytes. Reading is lenient on purpose: lines of families
 * this version does not write, and lines it cannot read, are dropped (the file then starts those
 * series afresh: Prometheus treats a counter that went down as a reset).
 */
import { FAMILIES, familyNamed } from './prometheus-families.js';

export type Labels = Readonly<Record<string, string>>;

/** One sample: a family, its labels, a value. */
export interface Sample {
  readonly family: string;
  readonly labels: Labels;
  readonly value: number;
}

/** Samples by {@link sampleKey}. */
export type SampleSet = ReadonlyMap<string, Sample>;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',')}}`;
}

/** The identity of a series: family and labels (label order does not matter). */
export function sampleKey(family: string, labels: Labels): string {
  return `${family}${labelText(labels)}`;
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** The exposition text of `samples`: `# HELP`, `# TYPE` and the sample lines of each family present. */
export function renderExposition(samples: SampleSet): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    const rows = [...samples.entries()].filter(([, s]) => s.family === family.name).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (rows.length === 0) continue;
    lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const [key, s] of rows) lines.push(`${key} ${valueText(s.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Reads `{a="x",b="y"}` (without the braces); undefined when malformed. */
function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const name = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(text.slice(i));
    if (!name?.[1]) return undefined;
    i += name[0].length;
    let value = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) return undefined;
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i++];
        value += e === 'n' ? '\n' : (e ?? '');
      } else value += c;
    }
    labels[name[1]] = value;
    const rest = /^\s*(,|$)/.exec(text.slice(i));
    if (!rest) return undefined;
    i += rest[0].length;
  }
  return labels;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?\s*$/;

/** The samples of an exposition text this module wrote (see the module comment). */
export function parseExposition(text: string): Map<string, Sample> {
  const samples = new Map<string, Sample>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m?.[1] || !familyNamed(m[1])) continue;
    const labels = m[2] === undefined ? {} : parseLabels(m[2]);
    const value = Number(m[3] === '+Inf' ? 'Infinity' : m[3] === '-Inf' ? '-Infinity' : m[3]);
    if (!labels || (Number.isNaN(value) && m[3] !== 'NaN')) continue;
    samples.set(sampleKey(m[1], labels), { family: m[1], labels, value });
  }
  return samples;
}
