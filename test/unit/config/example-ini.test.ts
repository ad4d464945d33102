import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readIni } from '../../../src/config/ini-reader.js';
import { parseConfig } from '../../../src/config/parse.js';
import { schemaEntries, SECTION_NAMES } from '../../../src/config/schema.js';
import { MINIMAL } from './helpers.js';

const text = readFileSync(join(import.meta.dirname, '..', '..', '..', 'medusa-example.ini'), 'utf8');

/** Keys written as comments (`;key =` or `;key = example`), by section: the keys unset by default. */
function commentedKeys(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] ?? '';
    const key = /^;([A-Za-z0-9_]+) =/.exec(line)?.[1];
    if (key && section) out.set(section, (out.get(section) ?? new Set()).add(key));
  }
  return out;
}

test('medusa-example.ini: every schema key present once, with its default or commented out when unset', () => {
  const doc = readIni(text);
  assert.deepEqual(doc.errors, []);
  assert.deepEqual(doc.sections.map((s) => s.name), [...SECTION_NAMES]);
  const commented = commentedKeys();
  for (const { section, key, spec } of schemaEntries()) {
    const active = doc.sections.find((s) => s.name === section)?.entries.find((e) => e.key === key.toLowerCase());
    const isCommented = commented.get(section)?.has(key) ?? false;
    const where = `[${section}] ${key}`;
    if (spec.derived) {
      assert.ok(!active && !isCommented, `${where} is computed and must not be in the example`);
    } else if (spec.default === undefined) {
      assert.ok(isCommented && !active, `${where} has no default: it must be commented out`);
    } else {
      assert.ok(active && !isCommented, `${where} must be listed with its default`);
      assert.equal(active.value, spec.default, `${where} default`);
    }
  }
});

test('medusa-example.ini: no unknown keys, and a comment line above every key', () => {
  const lines = text.split('\n');
  const commented = commentedKeys();
  const known = new Set(schemaEntries().map((e) => `${e.section} ${e.key}`));
  for (const section of readIni(text).sections) {
    for (const entry of section.entries) {
      const canonical = schemaEntries().find((e) => e.section === section.name && e.key.toLowerCase() === entry.key);
      assert.ok(canonical, `unknown key [${section.name}] ${entry.key}`);
      assert.match(lines[entry.line - 2] ?? '', /^; \S/, `comment above [${section.name}] ${entry.key}`);
    }
  }
  for (const [section, keys] of commented) {
    for (const key of keys) assert.ok(known.has(`${section} ${key}`), `unknown commented key [${section}] ${key}`);
  }
});

test('medusa-example.ini: with the required keys filled in, it parses to the same config as a minimal file', () => {
  const filled = text
    .replace(/^;storage_provider = .*$/m, 'storage_provider = local')
    .replace(/^;bucket_name = .*$/m, 'bucket_name = b')
    .replace(/^;base_path =$/m, 'base_path = /var/backups');
  const options = { env: { USER: 'u' }, defaultFqdn: 'n1' };
  const fromExample = parseConfig(filled, options);
  assert.deepEqual(fromExample.warnings, []);
  assert.deepEqual(fromExample.config, parseConfig(MINIMAL, options).config);
});
