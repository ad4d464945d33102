/**
 * Test environment `grpc-health-probe`: the health probe k8ssandra-operator's Medusa container runs
 * (`/bin/grpc_health_probe --addr=:PORT`, with TLS flags when TLS is on), built with `go install`
 * from the Go module proxy into the gitignored `.cache/bin` (once; later runs reuse the binary).
 * Exports `GRPC_HEALTH_PROBE`, its path. Nothing is started, so `down()` has nothing to stop.
 */
import type { TestEnvironment } from '../run.js';
import { ensureGoBinary } from './object-stores/install.js';

/** The probe's module and the version the operator's image ships. */
export const GRPC_HEALTH_PROBE_MODULE = 'github.com/grpc-ecosystem/grpc-health-probe';
export const GRPC_HEALTH_PROBE_VERSION = 'v0.4.62';

const environment: TestEnvironment = {
  name: 'grpc-health-probe',
  async up(): Promise<Record<string, string>> {
    return { GRPC_HEALTH_PROBE: await ensureGoBinary(GRPC_HEALTH_PROBE_MODULE, GRPC_HEALTH_PROBE_VERSION, 'grpc-health-probe') };
  },
  down(): Promise<void> {
    return Promise.resolve();
  },
};

export default environment;
