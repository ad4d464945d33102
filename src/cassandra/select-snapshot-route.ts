/**
 * The one place the snapshot route is chosen, as Medusa chooses (`medusa/service/snapshot`):
 * `[kubernetes] enabled` with `use_mgmt_api` → the Management API; `[kubernetes] enabled` alone →
 * Jolokia; otherwise nodetool. (Medusa's `is_ccm` route is for its own test clusters: nodetool
 * serves ccm nodes as well.) Every operation (backup, the agent's backups, purge's sweep of stale
 * snapshots) gets its route here.
 */
import type { MedusaConfig } from '../config/types.js';
import type { Logger } from '../util/logger.js';
import { Nodetool } from './nodetool.js';
import { jolokiaRoute } from './routes/jolokia-route.js';
import { managementApiRoute, type HttpRouteOptions } from './routes/management-api-route.js';
import { nodetoolRoute } from './routes/nodetool-route.js';
import type { DataDirsSource, SnapshotRoute } from './snapshot-route.js';

/** Which route a configuration selects. Pure. */
export function snapshotRouteKind(config: Pick<MedusaConfig, 'kubernetes'>): 'nodetool' | 'management-api' | 'jolokia' {
  if (!config.kubernetes.enabled) return 'nodetool';
  return config.kubernetes.use_mgmt_api ? 'management-api' : 'jolokia';
}

/**
 * The route of this configuration. `dataDirs` gives the node's `data_file_directories`, where the
 * HTTP routes list snapshots (asked only when they list). Nothing is contacted or read until the
 * route is used, so a bad `cassandra_url` or certificate surfaces on the first call, as one line
 * naming the key.
 */
export function snapshotRouteFor(
  config: Pick<MedusaConfig, 'kubernetes' | 'cassandra'>,
  dataDirs: DataDirsSource,
  log: Logger,
  options: HttpRouteOptions = {},
): SnapshotRoute {
  switch (snapshotRouteKind(config)) {
    case 'management-api':
      return managementApiRoute(config.kubernetes, dataDirs, options);
    case 'jolokia':
      return jolokiaRoute(config.kubernetes, dataDirs, options);
    case 'nodetool':
      return nodetoolRoute(new Nodetool(config.cassandra, { log }));
  }
}
