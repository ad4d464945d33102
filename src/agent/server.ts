/**
 * The gRPC server of the agent: service `Medusa` (proto/medusa.proto) and `grpc.health.v1.Health`
 * answering SERVING for the whole server (`""`), as Medusa's stock health servicer does.
 *
 * Callers may rely on:
 * - `startAgentServer` resolves once the port listens (port 0 picks a free one; `port` tells which);
 * - each rpc calls its handler once; whatever the handler throws becomes one gRPC status for that
 *   call (rpc-error.ts) and is logged; the server keeps serving;
 * - a handler's `signal` aborts when the client cancels or disconnects, or the server is stopping;
 * - `stop(graceMs)` refuses new calls at once, waits up to `graceMs` for calls in flight, then
 *   cancels those left; health answers NOT_SERVING meanwhile. Calling it twice is harmless.
 */
import { Server, ServerCredentials, setLogger, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { describeError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { serviceErrorOf } from './rpc-error.js';
import { medusaServiceDefinition, RPC_NAMES, type MedusaRpcs, type RpcName } from './wire.js';

/** What a handler knows about its call. */
export interface CallContext {
  /** Aborted when the client goes away or the server stops. */
  readonly signal: AbortSignal;
  /** The client's address, for logs. */
  readonly peer: string;
}

/** One function per rpc. */
export type MedusaHandlers = {
  readonly [K in RpcName]: (request: MedusaRpcs[K][0], call: CallContext) => Promise<MedusaRpcs[K][1]>;
};

/** How to serve. */
export interface AgentServerOptions {
  /** TCP port on every interface; 0 = a free port. */
  readonly port: number;
  /** Address to bind; default every interface (`::`, or `0.0.0.0` where IPv6 is off). */
  readonly host?: string;
  readonly maxSendMessageLength: number;
  readonly maxReceiveMessageLength: number;
  /** Plain text when absent. */
  readonly credentials?: ServerCredentials;
  readonly handlers: MedusaHandlers;
  readonly log: Logger;
  /** Words put before a handler's failure, per rpc (Medusa's "Failed to get backups due to error: "). */
  readonly errorPrefixes?: Partial<Record<RpcName, string>>;
}

/** A listening server. */
export interface RunningAgentServer {
  /** The port listened on. */
  readonly port: number;
  stop(graceMs: number): Promise<void>;
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync(address, credentials, (err, port) => (err ? reject(err) : resolve(port))));
}

function unary<K extends RpcName>(name: K, o: AgentServerOptions, stopping: AbortSignal) {
  const handler = o.handlers[name] as (request: MedusaRpcs[K][0], call: CallContext) => Promise<MedusaRpcs[K][1]>;
  return (call: ServerUnaryCall<MedusaRpcs[K][0], MedusaRpcs[K][1]>, callback: sendUnaryData<MedusaRpcs[K][1]>): void => {
    const controller = new AbortController();
    const onStop = (): void => controller.abort(new Error('the agent is stopping'));
    stopping.addEventListener('abort', onStop, { once: true });
    let cancelled = false;
    call.on('cancelled', () => {
      cancelled = true;
      controller.abort(new Error('the client cancelled the call'));
    });
    const peer = call.getPeer();
    // A handler that throws before its first await still fails its call only.
    Promise.resolve()
      .then(() => handler(call.request, { signal: controller.signal, peer }))
      .then(
        (response) => callback(null, response),
        (err: unknown) => {
          if (cancelled) {
            o.log.info(`${name} from ${peer}: cancelled by the client (${describeError(err)})`);
            return;
          }
          const status = serviceErrorOf(err, o.errorPrefixes?.[name]);
          o.log.error(`${name} from ${peer} failed: ${status.details ?? describeError(err)}`);
          if (o.log.debugEnabled && err instanceof Error && err.stack) o.log.debug(err.stack);
          callback(status);
        },
      )
      .finally(() => stopping.removeEventListener('abort', onStop));
  };
}

/** Starts the server; see the module comment. Rejects when the port cannot be bound. */
export async function startAgentServer(o: AgentServerOptions): Promise<RunningAgentServer> {
  // grpc-js writes its own errors to stderr ("E No address added ..."); what matters reaches the
  // caller as an error and is logged once, so its lines go to the debug log instead.
  setLogger({ error: (...args: unknown[]) => o.log.debug(`grpc-js: ${args.map(String).join(' ')}`) });
  const server = new Server({
    'grpc.max_send_message_length': o.maxSendMessageLength,
    'grpc.max_receive_message_length': o.maxReceiveMessageLength,
  });
  const stopping = new AbortController();
  const implementation: UntypedServiceImplementation = {};
  for (const name of RPC_NAMES) implementation[name] = unary(name, o, stopping.signal);
  server.addService(medusaServiceDefinition(), implementation);
  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);

  const credentials = o.credentials ?? ServerCredentials.createInsecure();
  let port: number;
  const address = o.host !== undefined ? `${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}` : `[::]:${o.port}`;
  try {
    if (o.host !== undefined) {
      port = await bind(server, address, credentials);
    } else {
      try {
        port = await bind(server, address, credentials);
      } catch (err) {
        o.log.debug(`Cannot listen on ${address} (${describeError(err)}): trying 0.0.0.0`);
        port = await bind(server, `0.0.0.0:${o.port}`, credentials);
      }
    }
  } catch (err) {
    server.forceShutdown();
    // grpc-js words it "No address added out of total 1 resolved errors: [listen EADDRINUSE ...]".
    const why = /\[(.*)\]\s*$/.exec(describeError(err))?.[1] ?? describeError(err);
    throw new Error(`Cannot serve gRPC on port ${o.port} ([grpc] port): ${why}`, { cause: err });
  }
  let stopped: Promise<void> | undefined;
  return {
    port,
    stop(graceMs: number): Promise<void> {
      stopped ??= new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
        // Handlers still running learn it now: they stop what they can and answer.
        stopping.abort();
      });
      return stopped;
    },
  };
}
