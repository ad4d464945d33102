/**
 * The Jolokia snapshot route (`[kubernetes] enabled` without `use_mgmt_api`): `exec` requests on
 * Cassandra's `StorageService` MBean through a Jolokia agent's HTTP API at `cassandra_url`, with
 * the bodies Medusa sends (medusa-agent.md §3):
 * - take: `takeSnapshot(java.lang.String,java.util.Map,[Ljava.lang.String;)` with `[tag, {}, []]`;
 * - clear: `clearSnapshot(java.lang.String,[Ljava.lang.String;)` with `[tag, []]`.
 * Medusa names the clear operation without its signature; Cassandra 5.0 overloads
 * `clearSnapshot` (a variant with an options map), which Jolokia refuses to pick from by name
 * alone, so the signature is given.
 *
 * Jolokia reports an MBean failure inside a 200 answer (`{"status": 500, "error": ...}`), so
 * success needs both: HTTP 200 and a JSON `status` of 200. Snapshots are listed from the data
 * directories, as for the Management API.
 */
import type { KubernetesSection } from '../../config/types.js';
import { OperationError } from '../../util/errors.js';
import { snapshotTagsOnDisk } from '../snapshot-tags-on-disk.js';
import type { DataDirsSource, SnapshotRoute } from '../snapshot-route.js';
import { endpointUrl, oneLine } from './endpoint-url.js';
import { httpCall, HttpCallError } from './http-call.js';
import { SNAPSHOT_REQUEST_TIMEOUT_MS, type HttpRouteOptions } from './management-api-route.js';

/** The MBean the snapshot operations belong to. */
export const STORAGE_SERVICE_MBEAN = 'org.apache.cassandra.db:type=StorageService';
export const TAKE_SNAPSHOT_OPERATION = 'takeSnapshot(java.lang.String,java.util.Map,[Ljava.lang.String;)';
export const CLEAR_SNAPSHOT_OPERATION = 'clearSnapshot(java.lang.String,[Ljava.lang.String;)';

/** The request body of one `exec`. */
export function jolokiaExec(operation: string, args: readonly unknown[]): Record<string, unknown> {
  return { type: 'exec', mbean: STORAGE_SERVICE_MBEAN, operation, arguments: args };
}

/**
 * Why a Jolokia answer is not a success, or `undefined` when it is (HTTP 200 and JSON status 200).
 * Pure, for table tests.
 */
export function jolokiaFailure(httpStatus: number, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `HTTP ${httpStatus}, not a Jolokia answer${body.trim() ? `: ${oneLine(body, 200)}` : ''}`;
  }
  const answer = (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
  const status = answer['status'];
  const error = typeof answer['error'] === 'string' ? oneLine(answer['error']) : undefined;
  if (httpStatus === 200 && status === 200) return undefined;
  if (httpStatus !== 200) return `HTTP ${httpStatus}${error ? `: ${error}` : ''}`;
  if (typeof status !== 'number') return 'the answer has no status';
  return `Jolokia status ${status}${error ? `: ${error}` : ''}`;
}

type Settings = Pick<KubernetesSection, 'cassandra_url'>;

/** The route through the Jolokia agent at `settings.cassandra_url`; snapshots listed under `dataDirs`. */
export function jolokiaRoute(settings: Settings, dataDirs: DataDirsSource, options: HttpRouteOptions = {}): SnapshotRoute {
  const timeoutMs = options.timeoutMs ?? SNAPSHOT_REQUEST_TIMEOUT_MS;
  const exec = async (what: string, tag: string, operation: string, args: readonly unknown[]): Promise<void> => {
    const url = endpointUrl(settings.cassandra_url, 'a Jolokia agent (http://127.0.0.1:8778/jolokia/)');
    let failure: string | undefined;
    try {
      const answer = await httpCall({ method: 'POST', url, json: jolokiaExec(operation, args), timeoutMs });
      failure = jolokiaFailure(answer.status, answer.body);
    } catch (err) {
      if (err instanceof HttpCallError) throw new OperationError(`Jolokia: cannot ${what} snapshot ${tag}: ${err.message}`, { cause: err });
      throw err;
    }
    if (failure !== undefined) throw new OperationError(`Jolokia: cannot ${what} snapshot ${tag}: ${failure}`);
  };
  return {
    name: 'Jolokia',
    take: (tag) => exec('take', tag, TAKE_SNAPSHOT_OPERATION, [tag, {}, []]),
    clear: (tag) => exec('clear', tag, CLEAR_SNAPSHOT_OPERATION, [tag, []]),
    list: async () => snapshotTagsOnDisk(await dataDirs()),
  };
}
