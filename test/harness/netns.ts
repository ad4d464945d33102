/**
 * The private network of a multi-host cluster: one Linux bridge in the root namespace holding
 * `<prefix>.<n>.1/24`, and per host a network namespace whose `eth0` (one end of a veth pair
 * plugged into the bridge) holds the host's address. No default route is added anywhere, so
 * traffic from a host can only reach addresses on the bridge.
 *
 * Several clusters (other suites, other developers) may exist at once: each takes the first free
 * slot `n` in 0..63, claimed atomically by creating the bridge `mdtbr<n>`, and its names and subnet
 * all derive from `n`.
 */
import { execCapture, execOk } from './exec.js';

/** First two octets of every harness subnet: 10.213.<n>.0/24. */
export const SUBNET_BASE = '10.213';
const SLOTS = 64;

/** The names and addresses belonging to one cluster slot. */
export interface NetworkSlot {
  index: number;
  bridge: string;
  /** e.g. `10.213.0`; addresses are `${prefix}.<x>`. */
  prefix: string;
  /** The root namespace's own address on the bridge. */
  gateway: string;
}

/** Names used for host `i` (0-based) of slot `index`. */
export function hostNetworkNames(index: number, i: number): { netns: string; veth: string; peer: string } {
  return { netns: `mdt${index}-h${i + 1}`, veth: `mdt${index}v${i + 1}`, peer: `mdt${index}p${i + 1}` };
}

/** The address of host `i` (0-based): .11, .12, ... */
export function hostAddress(slot: NetworkSlot, i: number): string {
  return `${slot.prefix}.${11 + i}`;
}

async function subnetInUse(prefix: string): Promise<boolean> {
  const routes = await execOk('ip', ['-4', 'route', 'show', `${prefix}.0/24`]);
  return routes.stdout.trim() !== '';
}

/**
 * Claims a free slot by creating its bridge, gives the bridge the gateway address and brings it up.
 * `onClaimed` runs right after the bridge exists, before anything can fail, so the caller can note
 * it for teardown.
 */
export async function createBridge(onClaimed: (slot: NetworkSlot) => void): Promise<NetworkSlot> {
  for (let index = 0; index < SLOTS; index++) {
    const prefix = `${SUBNET_BASE}.${index}`;
    if (await subnetInUse(prefix)) continue;
    const bridge = `mdtbr${index}`;
    const add = await execCapture('ip', ['link', 'add', bridge, 'type', 'bridge']);
    if (add.code !== 0) {
      if (/exists/i.test(add.stderr)) continue;
      throw new Error(`ip link add ${bridge} type bridge failed: ${add.stderr.trim()}`);
    }
    const slot: NetworkSlot = { index, bridge, prefix, gateway: `${prefix}.1` };
    onClaimed(slot);
    await execOk('ip', ['addr', 'add', `${slot.gateway}/24`, 'dev', bridge]);
    await execOk('ip', ['link', 'set', bridge, 'up']);
    return slot;
  }
  throw new Error(`no free harness network: ${SUBNET_BASE}.0-${SLOTS - 1}.0/24 are all taken (stale clusters? see \`cli.ts cluster down\`)`);
}

/**
 * Creates host `i`'s namespace and veth pair and configures `lo` and `eth0`. `onCreated` is called
 * with each name before the corresponding object is created, for the teardown journal.
 */
export async function createHostNetwork(
  slot: NetworkSlot, i: number, onCreated: (kind: 'netns' | 'veth', name: string) => void,
): Promise<{ netns: string; veth: string; address: string }> {
  const { netns, veth, peer } = hostNetworkNames(slot.index, i);
  const address = hostAddress(slot, i);
  onCreated('netns', netns);
  await execOk('ip', ['netns', 'add', netns]);
  onCreated('veth', veth);
  await execOk('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', peer]);
  await execOk('ip', ['link', 'set', veth, 'master', slot.bridge]);
  await execOk('ip', ['link', 'set', veth, 'up']);
  await execOk('ip', ['link', 'set', peer, 'netns', netns]);
  await execOk('ip', ['-n', netns, 'link', 'set', peer, 'name', 'eth0']);
  await execOk('ip', ['-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  await execOk('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
  await execOk('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  return { netns, veth, address };
}

/** Pids of every process in a network namespace (empty when it does not exist). */
export async function netnsPids(netns: string): Promise<number[]> {
  const result = await execCapture('ip', ['netns', 'pids', netns]);
  if (result.code !== 0) return [];
  return result.stdout.split(/\s+/).filter((s) => s !== '').map(Number).filter((n) => Number.isInteger(n));
}

/** Deletes a network namespace; a missing one is fine. */
export async function deleteNetns(netns: string): Promise<void> {
  const result = await execCapture('ip', ['netns', 'del', netns]);
  if (result.code !== 0 && !/No such file|not found|does not exist/i.test(result.stderr)) {
    throw new Error(`ip netns del ${netns} failed: ${result.stderr.trim()}`);
  }
}

/** Deletes a network link (bridge or veth); a missing one is fine. */
export async function deleteLink(name: string): Promise<void> {
  const result = await execCapture('ip', ['link', 'del', name]);
  if (result.code !== 0 && !/Cannot find device|does not exist/i.test(result.stderr)) {
    throw new Error(`ip link del ${name} failed: ${result.stderr.trim()}`);
  }
}

/** Takes a host's link down or up (a network partition, for failure tests). */
export async function setHostLink(veth: string, up: boolean): Promise<void> {
  await execOk('ip', ['link', 'set', veth, up ? 'up' : 'down']);
}
