/**
 * This node's identity when `[storage] fqdn` is not configured (reference §2.9): the IP address
 * of the host name, then, unless `resolve_ip_addresses` is false, the name that IP resolves back
 * to; in Kubernetes mode the first label of a PTR record that is not an IP address in disguise
 * (`10-0-0-5.ns.pod...` is skipped, `cassandra-dc1-rack1-sts-0.svc...` gives
 * `cassandra-dc1-rack1-sts-0`). DNS goes through an injectable {@link HostResolver} so tests need
 * no network.
 *
 * Unlike Medusa, lookups that fail do not crash the command: a failed forward lookup falls back
 * to the host name, a failed reverse lookup to the IP (what Python's `getfqdn` returns), each with
 * a warning. Any false spelling of `resolve_ip_addresses` counts (Medusa tested the exact string
 * `False` here, reference §9.9), so node folders and tokenmap keys agree.
 */
import { promises as dns } from 'node:dns';
import { isIPv4, isIPv6 } from 'node:net';
import { hostname } from 'node:os';

/** The DNS questions fqdn computation asks. Every method may reject. */
export interface HostResolver {
  /** This machine's host name. */
  hostname(): string;
  /** An IP address of `name` (IPv4 preferred, as Python's `gethostbyname`). */
  lookup(name: string): Promise<string>;
  /** The host name of `ip` as the system resolver sees it (hosts file, then DNS). */
  reverse(ip: string): Promise<string>;
  /** The DNS PTR names of `ip`. */
  ptr(ip: string): Promise<string[]>;
}

/** The resolver of this machine (`os.hostname`, `getaddrinfo`, `getnameinfo`, DNS PTR). */
export const systemResolver: HostResolver = {
  hostname: () => hostname(),
  async lookup(name) {
    try {
      return (await dns.lookup(name, { family: 4 })).address;
    } catch {
      return (await dns.lookup(name)).address;
    }
  },
  async reverse(ip) {
    return (await dns.lookupService(ip, 0)).hostname;
  },
  ptr: (ip) => dns.reverse(ip),
};

/** What decides how the fqdn is computed. */
export interface FqdnSettings {
  readonly resolveIpAddresses: boolean;
  readonly k8sMode: boolean;
}

/** A computed fqdn and what went wrong on the way. */
export interface FqdnResult {
  readonly fqdn: string;
  readonly warnings: readonly string[];
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function looksLikeIp(label: string): boolean {
  return isIPv4(label.replaceAll('-', '.')) || isIPv6(label.replaceAll('-', ':'));
}

/** The pod name hidden in a PTR record, or the IP itself when no record has one (Medusa's k8s rule). */
async function k8sName(ip: string, resolver: HostResolver, warnings: string[]): Promise<string> {
  if (!isIPv4(ip) && !isIPv6(ip)) return ip;
  try {
    for (const name of await resolver.ptr(ip)) {
      const label = name.split('.')[0] ?? '';
      if (label !== '' && !looksLikeIp(label)) return label;
    }
  } catch (err) {
    warnings.push(`fqdn: no PTR record for ${ip} (${describe(err)}); using the IP address`);
  }
  return ip;
}

/** Computes this node's fqdn (reference §2.9). Never rejects. */
export async function computeLocalFqdn(settings: FqdnSettings, resolver: HostResolver = systemResolver): Promise<FqdnResult> {
  const warnings: string[] = [];
  const host = resolver.hostname();
  let ip: string;
  try {
    ip = await resolver.lookup(host);
  } catch (err) {
    warnings.push(`fqdn: cannot resolve host name ${host} (${describe(err)}); using the host name as fqdn`);
    return { fqdn: host, warnings };
  }
  if (!settings.resolveIpAddresses) return { fqdn: ip, warnings };
  if (settings.k8sMode) return { fqdn: await k8sName(ip, resolver, warnings), warnings };
  try {
    const name = await resolver.reverse(ip);
    if (name !== '') return { fqdn: name, warnings };
  } catch (err) {
    warnings.push(`fqdn: cannot resolve ${ip} back to a name (${describe(err)}); using the IP address`);
  }
  return { fqdn: ip, warnings };
}
