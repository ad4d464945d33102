/**
 * Pure: what the Kubernetes restore init container (`MEDUSA_MODE=RESTORE`, medusa-agent.md §3)
 * does in this pod, from the environment the operator gives it and the key `.last-restore` holds.
 * No I/O: the caller reads the environment and the file.
 *
 * As Medusa:
 * - no `BACKUP_NAME` or no `RESTORE_KEY` (unset or empty): nothing to do;
 * - `.last-restore` holds `RESTORE_KEY`: this restore already happened, nothing to do;
 * - `RESTORE_MAPPING` (`{"in_place": bool, "host_map": {"<pod>": {"source": ["<host>"], "seed": bool}}}`)
 *   absent: restore in place; `in_place` true: restore this node's own backup; false: restore the
 *   backup of `host_map[POD_NAME].source[0]` (remote: tokens pinned, `system_auth` kept), and a pod
 *   the map does not name has nothing to restore (its key is recorded as done all the same).
 * Past Medusa, a mapping that is not what the operator writes (not JSON, `in_place` not a boolean,
 * a host entry without a source, `in_place` false without `POD_NAME`) is refused with one line
 * naming what is wrong, where Medusa would crash with a Python traceback.
 */
import { segmentProblem } from '../layout/segments.js';

/** The variables the init container reads. */
export interface InitRestoreEnv {
  readonly BACKUP_NAME?: string;
  readonly RESTORE_KEY?: string;
  readonly RESTORE_MAPPING?: string;
  readonly POD_NAME?: string;
}

/** One target pod's entry of `host_map`. */
export interface HostMapEntry {
  readonly source: readonly string[];
  readonly seed: boolean;
}

/** `RESTORE_MAPPING` as the operator's MedusaRestoreJob writes it. */
export interface RestoreMapping {
  readonly inPlace: boolean;
  readonly hostMap: ReadonlyMap<string, HostMapEntry>;
}

/** What this pod does. */
export type InitRestoreDecision =
  | {
      readonly kind: 'nothing';
      readonly reason: string;
      /** Set when the key is to be recorded as done all the same (Medusa's entrypoint does, for a pod the map skips). */
      readonly recordKey?: string;
    }
  | {
      readonly kind: 'restore';
      readonly backupName: string;
      readonly restoreKey: string;
      readonly inPlace: boolean;
      /** The node whose backup is restored: undefined = this node's own fqdn (in place). */
      readonly sourceFqdn?: string;
    };

/** `RESTORE_MAPPING` is not what the operator writes; the message names the problem. */
export class RestoreMappingError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and checks `RESTORE_MAPPING`; `RestoreMappingError` (one line) when it is malformed. */
export function parseRestoreMapping(text: string): RestoreMapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new RestoreMappingError(`RESTORE_MAPPING is not JSON (${(err as Error).message})`);
  }
  if (!isObject(parsed)) throw new RestoreMappingError('RESTORE_MAPPING must be a JSON object {"in_place": ..., "host_map": {...}}');
  const inPlace = parsed['in_place'];
  if (typeof inPlace !== 'boolean') throw new RestoreMappingError(`RESTORE_MAPPING: in_place must be true or false, got ${JSON.stringify(inPlace) ?? 'nothing'}`);
  const rawMap = parsed['host_map'] ?? {};
  if (!isObject(rawMap)) throw new RestoreMappingError('RESTORE_MAPPING: host_map must be an object keyed by pod name');
  const hostMap = new Map<string, HostMapEntry>();
  for (const [pod, entry] of Object.entries(rawMap)) {
    const source = isObject(entry) ? entry['source'] : undefined;
    if (!Array.isArray(source) || source.length === 0 || !source.every((s) => typeof s === 'string' && s !== '')) {
      throw new RestoreMappingError(`RESTORE_MAPPING: host_map.${pod}.source must be a non-empty list of host names`);
    }
    const problem = segmentProblem(source[0] as string);
    if (problem) throw new RestoreMappingError(`RESTORE_MAPPING: host_map.${pod}.source[0] ${JSON.stringify(source[0])} ${problem}`);
    hostMap.set(pod, { source: source as string[], seed: isObject(entry) && entry['seed'] === true });
  }
  return { inPlace, hostMap };
}

/**
 * The decision for this pod. `lastRestoreKey` is the content of `.last-restore` (trimmed), or
 * undefined when there is none. Throws `RestoreMappingError` for a malformed mapping.
 */
export function decideInitRestore(env: InitRestoreEnv, lastRestoreKey: string | undefined): InitRestoreDecision {
  const backupName = env.BACKUP_NAME ?? '';
  const restoreKey = env.RESTORE_KEY ?? '';
  if (backupName === '' || restoreKey === '') return { kind: 'nothing', reason: 'BACKUP_NAME or RESTORE_KEY is not set: no restore was asked for' };
  if (lastRestoreKey === restoreKey) return { kind: 'nothing', reason: `restore ${restoreKey} was already done (.last-restore holds its key)` };
  if (env.RESTORE_MAPPING === undefined) return { kind: 'restore', backupName, restoreKey, inPlace: true };
  const mapping = parseRestoreMapping(env.RESTORE_MAPPING);
  if (mapping.inPlace) return { kind: 'restore', backupName, restoreKey, inPlace: true };
  const pod = env.POD_NAME ?? '';
  if (pod === '') throw new RestoreMappingError('RESTORE_MAPPING restores from other hosts (in_place false) but POD_NAME is not set: which pod is this?');
  const entry = mapping.hostMap.get(pod);
  if (!entry) return { kind: 'nothing', reason: `POD_NAME ${pod} is not in RESTORE_MAPPING's host_map: this pod has nothing to restore`, recordKey: restoreKey };
  return { kind: 'restore', backupName, restoreKey, inPlace: false, sourceFqdn: entry.source[0]! };
}
