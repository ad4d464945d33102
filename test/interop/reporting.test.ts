// Interop: our `bin/medusa` against Python Medusa 0.31.0 on the same fixture buckets, for the
// read-only reporting commands. Expected output = Python's, as captured in test/fixtures/python-medusa/
// (scripts/capture-python-goldens.ts). stdout and exit codes must match exactly (report-last-backup:
// its log lines and metrics.json too, wall-clock values normalised), except for the intended
// differences in INTENDED below.
//
// Python itself (MEDUSA_PY_BIN, environment python-medusa) runs live on the same bucket as ours for one
// case per scenario, and its output must equal the golden: that catches goldens gone stale after a
// change of the fixture writer. INTEROP_LIVE_PYTHON=all runs it live for every case (about 3x slower:
// each Python start costs ~1 s of CPU). INTEROP_SCENARIOS=a,b runs only those scenarios.
// MEDUSA_TS_BIN selects another build of our CLI (default: this checkout's bin/medusa).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PYTHON_MEDUSA_VERSION } from '../environments/python-medusa.js';
import { FIXTURE_SCENARIOS, type FixtureScenario } from '../support/fixture-scenarios.js';
import {
  isPythonCrash,
  normaliseMetrics,
  normaliseStderr,
  reportingCases,
  runCase,
  type MedusaCommand,
  type ReportingCase,
  type RunOutput,
} from './reporting-cases.js';

const root = join(import.meta.dirname, '..', '..');
const goldens = join(root, 'test', 'fixtures', 'python-medusa');

function pythonCommand(): MedusaCommand {
  const bin = process.env.MEDUSA_PY_BIN;
  assert.ok(bin, 'MEDUSA_PY_BIN is not set: run this group through test/run.ts (environment python-medusa)');
  assert.ok(existsSync(bin), `MEDUSA_PY_BIN=${bin} does not exist`);
  return { file: bin, args: [] };
}

/**
 * Our CLI: this checkout's `bin/medusa` (needs `npm run build`), or MEDUSA_TS_BIN, the `bin/medusa` of
 * another build (e.g. a private build of a commit, safe from concurrent rebuilds of this dist/).
 */
function oursCommand(): MedusaCommand {
  const bin = process.env.MEDUSA_TS_BIN ?? join(root, 'bin', 'medusa');
  const main = join(bin, '..', '..', 'dist', 'cli', 'main.js');
  assert.ok(existsSync(main), `${main} is missing: run "npm run build" first`);
  return { file: process.execPath, args: [bin] };
}

/** A stack trace in our stderr: Node's `    at ...` frames or an uncaught-error banner. */
function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(stderr) || /^\s+at .+:\d+:\d+$/m.test(stderr) || stderr.includes('Traceback');
}

/**
 * Where we deliberately differ from Python Medusa 0.31.0 (design.md §4, reference §12). Each rule
 * returns true when it fully checked the case (the exact comparison is then skipped). Specific rules
 * come first; `pythonCrash` is the catch-all for every other Python traceback.
 */
type Intended = (s: FixtureScenario, c: ReportingCase, py: Expected, ours: RunOutput) => boolean;

function noStackTrace(c: ReportingCase, ours: RunOutput): void {
  assert.ok(!hasStackTrace(ours.stderr), `${c.id}: ours printed a stack trace:\n${ours.stderr}`);
}

/**
 * Same-size corruption: on local storage Python's --enable-md5-checks only compares sizes and passes
 * (reference §12); ours hashes the stored bytes, so it must fail and name both corrupted objects.
 */
const md5CatchesCorruption: Intended = (s, c, _py, ours) => {
  if (s.name !== 'corrupt-sstable' || c.id !== 'verify--bitrot--md5') return false;
  assert.equal(ours.exit, 1, `${c.id}: ours must fail verify --enable-md5-checks on a corrupted object\n${ours.stdout}${ours.stderr}`);
  assert.ok(ours.stdout.includes('- Manifest validation: Failed!\n'), ours.stdout);
  assert.ok(ours.stdout.includes('  - [c1.example.com/bitrot/data/medusa/users-5b2a4bd0c1ef11eea2d1a3f3b8c0d9e1/nb-1-big-Data.db] Blob different\n'), ours.stdout);
  assert.ok(ours.stdout.includes('  - [c2.example.com/data/system/local-7ad54392bcdd35a684174e047860b377/nb-1-big-Index.db] Blob different\n'), ours.stdout);
  return true;
};

/**
 * A node whose meta/manifest.json is gone while the index says it finished. Python crashes where it
 * needs sizes (status, JSON listing, report-last-backup) and calls the backup OK in verify
 * (reference §12). Ours reports that node as incomplete, with a warning naming the missing object.
 * get-last-complete-cluster-backup confirms its answer by reading the manifests (a runbook restores
 * what it names), so it does not name this backup. Where neither reads the manifest (text
 * list-backups, fetch-tokenmap) the exact comparison still applies.
 */
const MISSING_MANIFEST_KEY = 'm2.example.com/nomanifest/meta/manifest.json';
const missingManifestIsIncomplete: Intended = (s, c, py, ours) => {
  if (s.name !== 'missing-meta-manifest') return false;
  const reads = /^(status--nomanifest|verify--nomanifest|list-backups.*--json|report-last-backup|get-last-complete-cluster-backup)/.test(c.id);
  if (!reads) return false;
  noStackTrace(c, ours);
  assert.ok(ours.stderr.includes(MISSING_MANIFEST_KEY), `${c.id}: ours must name the missing manifest on stderr:\n${ours.stderr}`);
  if (c.id.startsWith('verify--')) {
    assert.equal(py.exit, 0);
    assert.notEqual(ours.exit, 0, `${c.id}: ours must not pass verify when a manifest is missing`);
    assert.ok(!ours.stdout.includes('Manifest validated: OK'), ours.stdout);
  } else if (c.id === 'status--nomanifest') {
    assert.equal(ours.exit, 0, ours.stderr);
    assert.ok(ours.stdout.startsWith('nomanifest [Incomplete!]\n'), ours.stdout);
    assert.ok(ours.stdout.includes('- Incomplete nodes:\n    m2.example.com\n'), ours.stdout);
  } else if (c.id === 'get-last-complete-cluster-backup') {
    assert.equal(py.stdout, 'nomanifest\n');
    assert.equal(ours.exit, 0, ours.stderr);
    assert.equal(ours.stdout, 'Could not find any full backup for the cluster\n');
  } else if (c.id.startsWith('report-last-backup')) {
    assert.equal(ours.exit, 0, ours.stderr);
    assert.match(ours.stderr, /INFO: - Finished: False$/m);
    assert.match(ours.stderr, /INFO: {6}m2\.example\.com$/m);
  } else {
    assert.equal(ours.exit, 0, ours.stderr);
    const doc = JSON.parse(ours.stdout) as unknown;
    const backup = (Array.isArray(doc) ? (doc as unknown[])[0] : doc) as Record<string, unknown>;
    assert.equal(backup.finished, null, ours.stdout);
    assert.equal(backup.incomplete_nodes, 1, ours.stdout);
  }
  return true;
};

/**
 * Empty bucket: Python's report-last-backup runs build-index, which needs a live Cassandra node
 * (the ini points `[cassandra] config_file` at nothing), and dies with a traceback. Ours rebuilds the
 * index from the bucket alone, finds nothing, and says so.
 */
const emptyBucketReport: Intended = (s, c, _py, ours) => {
  if (s.name !== 'empty' || !c.id.startsWith('report-last-backup')) return false;
  noStackTrace(c, ours);
  assert.equal(ours.exit, 0, ours.stderr);
  assert.match(ours.stderr, /INFO: This node has not been backed up yet$/m);
  assert.match(ours.stderr, /INFO: The cluster this node belongs to has not started a backup yet$/m);
  assert.ok(ours.metrics === undefined || ours.metrics === '', `${c.id}: nothing to report, yet metrics were written:\n${ours.metrics ?? ''}`);
  return true;
};

/** Any other Python traceback: ours must fail cleanly, one clear message and no stack trace (design.md §4). */
const pythonCrash: Intended = (_s, c, py, ours) => {
  if (!isPythonCrash(py.stderr)) return false;
  assert.notEqual(ours.exit, 0, `${c.id}: Python crashed here; ours must exit non-zero, not ${ours.exit}`);
  noStackTrace(c, ours);
  assert.ok(ours.stderr.trim().length > 0, `${c.id}: ours must say on stderr what is wrong`);
  return true;
};

const INTENDED: readonly Intended[] = [md5CatchesCorruption, missingManifestIsIncomplete, emptyBucketReport, pythonCrash];

/** Python's output for a case, as captured (stderr and metrics normalised). */
interface Expected {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit: number;
  readonly metrics?: string;
}

function golden(s: FixtureScenario, c: ReportingCase): Expected {
  const read = (ext: string): string => readFileSync(join(goldens, s.name, `${c.id}.${ext}`), 'utf8');
  return {
    stdout: read('stdout'),
    stderr: read('stderr'),
    exit: Number(read('exit').trim()),
    ...(c.metrics ? { metrics: read('metrics.json') } : {}),
  };
}

function checkPythonAgainstGolden(c: ReportingCase, py: RunOutput, expected: Expected): void {
  const hint = 'live Python output differs from the committed golden: re-run scripts/capture-python-goldens.ts';
  assert.equal(py.exit, expected.exit, `${c.id} exit: ${hint}`);
  assert.equal(py.stdout, expected.stdout, `${c.id} stdout: ${hint}`);
  if (c.metrics) assert.equal(normaliseMetrics(py.metrics ?? ''), expected.metrics, `${c.id} metrics: ${hint}`);
  // Tracebacks name machine paths the capture normalises further; the report's own log lines are compared.
  if (c.compareStderr && !isPythonCrash(py.stderr)) {
    assert.equal(normaliseStderr(py.stderr, py.base), expected.stderr, `${c.id} stderr: ${hint}`);
  }
}

function compare(s: FixtureScenario, c: ReportingCase, py: Expected, ours: RunOutput): void {
  for (const intended of INTENDED) if (intended(s, c, py, ours)) return;
  const ctx = `${s.name}/${c.id} (medusa ${c.args.join(' ')})`;
  assert.equal(ours.stdout, py.stdout, `${ctx}: stdout differs\n--- ours stderr ---\n${ours.stderr}`);
  assert.equal(ours.exit, py.exit, `${ctx}: exit code differs\n--- ours stderr ---\n${ours.stderr}`);
  if (c.compareStderr) {
    // Python's report lives in its log lines: compared line for line, times normalised.
    assert.equal(normaliseStderr(ours.stderr, ours.base), py.stderr, `${ctx}: log output differs`);
  }
  if (c.metrics) {
    assert.equal(normaliseMetrics(ours.metrics ?? '<no metrics.json>'), py.metrics, `${ctx}: metrics.json differs`);
  }
}

/** The case Python runs live by default: the JSON listing reads every index entry and manifest. */
const LIVE_SAMPLE = 'list-backups--show-all--json';
const liveAll = process.env.INTEROP_LIVE_PYTHON === 'all';

/** INTEROP_SCENARIOS=a,b runs only those scenarios (to shard a slow run); default all. */
const only = (process.env.INTEROP_SCENARIOS ?? '').split(',').filter((x) => x !== '');

describe(`reporting commands: ours vs Python Medusa ${PYTHON_MEDUSA_VERSION}`, () => {
  for (const s of FIXTURE_SCENARIOS.filter((x) => only.length === 0 || only.includes(x.name))) {
    describe(s.name, { concurrency: 2 }, () => {
      for (const c of reportingCases(s)) {
        test(c.id, async () => {
          const expected = golden(s, c);
          const live = liveAll || c.id === LIVE_SAMPLE;
          const [ours, py] = await Promise.all([
            runCase(oursCommand(), s, c, 180_000),
            live ? runCase(pythonCommand(), s, c, 180_000) : Promise.resolve(undefined),
          ]);
          if (py !== undefined) checkPythonAgainstGolden(c, py, expected);
          compare(s, c, expected, ours);
        });
      }
    });
  }
});
