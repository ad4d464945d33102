/** `medusa grpc-server`: the gRPC agent k8ssandra-operator drives (spec medusa-agent.md, design §5). */
import type { Command } from 'commander';
import { serveUntilSignal } from '../../agent/serve.js';
import { logger } from '../../util/logger.js';
import { sessionSource } from '../context.js';
import type { GlobalsGetter } from './index.js';

export function registerGrpcServer(program: Command, globals: GlobalsGetter): void {
  program
    .command('grpc-server')
    .description('Serve the Medusa gRPC service (k8ssandra-operator) on [grpc] port until SIGTERM/SIGINT')
    .action(() => serveUntilSignal({ source: sessionSource(globals()), log: logger }));
}
