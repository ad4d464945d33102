/**
 * `medusa grpc-server` as a process: the agent until SIGTERM or SIGINT, then a clean stop within
 * the pod's grace period (Kubernetes waits 30 s by default before SIGKILL). A second signal while
 * stopping gives up waiting.
 */
import type { Logger } from '../util/logger.js';
import { startAgent, type AgentOptions } from './agent.js';

/** How long a stop waits for the running backup and calls in flight: inside Kubernetes' default 30 s. */
export const STOP_GRACE_MS = 20_000;

/** Runs the agent until a signal; resolves once it has stopped. Rejects when it cannot start. */
export async function serveUntilSignal(options: AgentOptions & { readonly log: Logger }): Promise<void> {
  const agent = await startAgent(options);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        options.log.warning(`${signal} again: not waiting any longer`);
        resolve();
        return;
      }
      stopping = true;
      options.log.info(`${signal} received`);
      void agent.stop(STOP_GRACE_MS).then(resolve, (err: unknown) => {
        options.log.error(`Stopping the agent failed: ${err instanceof Error ? err.message : String(err)}`);
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
