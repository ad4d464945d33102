/**
 * `restore-node --verify` (reference §5.3): wait until the node answers the health check, then, when
 * `[checks] query` is set, run it and compare the row count with `expected_rows` (when not 0) and
 * the first row, each value as text joined by commas, with `expected_result` (when set).
 */
import type { ChecksSection } from '../config/types.js';
import { CqlSession, type CqlSettings } from '../cassandra/cql-session.js';
import { waitForCassandraUp, waitUntil, type ServiceContext, type WaitPolicy } from '../cassandra/service.js';
import { describeError, OperationError } from '../util/errors.js';

/** Medusa's CQL retry for the verification session: 5 attempts, 10 s doubling. */
const SESSION_WAIT: WaitPolicy = { attempts: 5, firstWaitMs: 10_000, maxWaitMs: 160_000 };

/** A value as Python's `str()` shows the common CQL types (numbers, text, booleans, uuids, null). */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  // Driver types (Long, Uuid, BigDecimal, InetAddress, LocalDate...) print themselves like Python's str().
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- driver types define toString
  return String(value);
}

/** Runs the verification; `OperationError` on a mismatch or when the node never comes up. */
export async function verifyRestore(service: ServiceContext, checks: ChecksSection, cql: CqlSettings, sessionWait: WaitPolicy = SESSION_WAIT): Promise<void> {
  const log = service.log;
  log.info('Verifying the restore');
  await waitForCassandraUp(service);
  if (checks.query === '') {
    log.info('The restore verification is complete');
    return;
  }
  log.info(`Executing restore verify query: ${checks.query}`);
  let session: CqlSession | undefined;
  let lastError = '';
  await waitUntil(async () => {
    try {
      session = await CqlSession.connect(cql);
      return true;
    } catch (err) {
      lastError = describeError(err);
      return false;
    }
  }, sessionWait, service.clock);
  if (!session) throw new OperationError(`Restore verification: ${lastError}`);
  let rows: string[][];
  try {
    const result = await session.execute(checks.query);
    rows = result.rows.map((row) => row.values().map(cellText));
  } catch (err) {
    throw new OperationError(`Restore verify query failed: ${describeError(err)}`);
  } finally {
    await session.close();
  }
  log.info('Restore verify query completed successfully');
  if (checks.expected_rows !== 0 && rows.length !== checks.expected_rows) {
    throw new OperationError(`Restore verify query returned unexpected number of rows: expected ${checks.expected_rows} but got ${rows.length}`);
  }
  if (checks.expected_result !== '') {
    const actual = (rows[0] ?? []).join(',');
    if (actual !== checks.expected_result) {
      throw new OperationError(`Restore verify query did not return expected result: expected ${JSON.stringify(checks.expected_result)} but got ${JSON.stringify(actual)}`);
    }
  }
  log.info('The restore verification is complete');
}
