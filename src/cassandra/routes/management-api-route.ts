/**
 * The Management API snapshot route (Management API for Apache Cassandra, `[kubernetes] enabled`
 * and `use_mgmt_api`), as Medusa calls it (medusa-agent.md §3):
 * - take: `POST <cassandra_url>` with `{"snapshot_name": "<tag>"}`;
 * - clear: `DELETE <cassandra_url>?snapshotNames=<tag>`;
 * both succeed only on HTTP 200. With `[kubernetes] tls_cert` the client certificate and key are
 * presented and an `http://` URL is sent as `https://` (Medusa's rewrite). Unlike Medusa, a
 * `ca_cert` that is set is used to check the server's chain (Medusa ignores it); without one the
 * server's certificate is accepted as Medusa accepts it. The tag is URL-encoded in the query.
 * The API has no listing Medusa uses: snapshots are listed from the data directories.
 */
import type { KubernetesSection } from '../../config/types.js';
import { OperationError } from '../../util/errors.js';
import { snapshotTagsOnDisk } from '../snapshot-tags-on-disk.js';
import type { DataDirsSource, SnapshotRoute } from '../snapshot-route.js';
import { endpointUrl, oneLine } from './endpoint-url.js';
import { httpCall, HttpCallError, type HttpTls } from './http-call.js';
import { readKubernetesTls } from './tls-files.js';

export interface HttpRouteOptions {
  /** Deadline of one request (default 10 minutes, as a nodetool call: a snapshot flushes every table first). */
  readonly timeoutMs?: number;
}

/** Default deadline of one snapshot request. */
export const SNAPSHOT_REQUEST_TIMEOUT_MS = 600_000;

type Settings = Pick<KubernetesSection, 'cassandra_url' | 'tls_cert' | 'tls_key' | 'ca_cert'>;

/** The route through the Management API at `settings.cassandra_url`; snapshots listed under `dataDirs`. */
export function managementApiRoute(settings: Settings, dataDirs: DataDirsSource, options: HttpRouteOptions = {}): SnapshotRoute {
  const timeoutMs = options.timeoutMs ?? SNAPSHOT_REQUEST_TIMEOUT_MS;
  let prepared: Promise<{ url: URL; tls?: HttpTls }> | undefined;
  const prepare = (): Promise<{ url: URL; tls?: HttpTls }> =>
    (prepared ??= (async () => {
      const url = endpointUrl(settings.cassandra_url, 'the Management API (http://127.0.0.1:8080/api/v0/ops/node/snapshots)');
      const files = await readKubernetesTls(settings);
      if (settings.tls_cert && url.protocol === 'http:') url.protocol = 'https:';
      const tls = files ? { ...files, skipServerCheck: files.cert !== undefined && files.ca === undefined } : undefined;
      return { url, ...(tls ? { tls } : {}) };
    })());

  const call = async (what: string, tag: string, method: 'POST' | 'DELETE'): Promise<void> => {
    const { url: base, tls } = await prepare();
    const url = new URL(base.href);
    if (method === 'DELETE') url.searchParams.set('snapshotNames', tag);
    try {
      const answer = await httpCall({ method, url, timeoutMs, ...(method === 'POST' ? { json: { snapshot_name: tag } } : {}), ...(tls ? { tls } : {}) });
      if (answer.status !== 200) {
        throw new OperationError(`management API: cannot ${what} snapshot ${tag}: HTTP ${answer.status}${answer.body.trim() ? `: ${oneLine(answer.body)}` : ''}`);
      }
    } catch (err) {
      if (err instanceof HttpCallError) throw new OperationError(`management API: cannot ${what} snapshot ${tag}: ${err.message}`, { cause: err });
      throw err;
    }
  };

  return {
    name: 'management API',
    take: (tag) => call('take', tag, 'POST'),
    clear: (tag) => call('clear', tag, 'DELETE'),
    list: async () => snapshotTagsOnDisk(await dataDirs()),
  };
}
