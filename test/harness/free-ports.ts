/**
 * Free TCP ports on 127.0.0.1, for servers that share the root network namespace (Cassandra nodes,
 * object stores, agents). All requested ports are held open together before any is released, so
 * one call never returns the same port twice.
 *
 * The ports come from BELOW the kernel's ephemeral range (`net.ipv4.ip_local_port_range`, 32768
 * and up by default). A port the kernel picked for us (`listen(0)`) lies inside that range, and
 * any outgoing connection on the machine may take it while it is unbound: between our release and
 * the server's bind, or while a node restarts (a restarted Cassandra once failed "Failed to bind
 * port ...: Address already in use" that way). Below the range only an explicit bind can take it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** Lowest port handed out: above the well-known and most registered service ports. */
const LOWEST = 20_000;

/** First port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOWEST + 1000 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

/** Resolves with `count` distinct ports that were free a moment ago, below the ephemeral range. */
export async function freePorts(count: number): Promise<number[]> {
  const end = ephemeralStart();
  const span = end - LOWEST;
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    // A random start, so test processes running at once rarely try the same ports.
    let candidate = LOWEST + Math.floor(Math.random() * span);
    for (let tried = 0; ports.length < count; tried++) {
      if (tried >= span) throw new Error(`no ${count} free ports between ${LOWEST} and ${end - 1}`);
      const server = await listenOn(candidate);
      if (server) {
        servers.push(server);
        ports.push(candidate);
      }
      candidate = candidate + 1 >= end ? LOWEST : candidate + 1;
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** One free port (see {@link freePorts}). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
