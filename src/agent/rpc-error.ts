/**
 * How a handler's failure reaches the client: one gRPC status (code + one line of details).
 * Handlers throw `RpcError` where the contract fixes the code (NOT_FOUND for BackupStatus of an
 * unknown backup, ...); anything else thrown is mapped by `statusOf`, so no failure ends the
 * server and none reaches the client as a stack trace.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { describeError, ExitCode, MedusaError, UsageError } from '../util/errors.js';

/** A failure with the gRPC code the client must see. `message` is the status details. */
export class RpcError extends Error {
  readonly code: GrpcStatus;

  constructor(code: GrpcStatus, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpcError';
    this.code = code;
  }
}

/** Shorthand for the common codes. */
export const rpcError = {
  invalidArgument: (message: string) => new RpcError(GrpcStatus.INVALID_ARGUMENT, message),
  notFound: (message: string) => new RpcError(GrpcStatus.NOT_FOUND, message),
  alreadyExists: (message: string) => new RpcError(GrpcStatus.ALREADY_EXISTS, message),
  failedPrecondition: (message: string) => new RpcError(GrpcStatus.FAILED_PRECONDITION, message),
  unavailable: (message: string) => new RpcError(GrpcStatus.UNAVAILABLE, message),
  internal: (message: string, cause?: unknown) => new RpcError(GrpcStatus.INTERNAL, message, { cause }),
};

/**
 * The status for any thrown value: an `RpcError` keeps its code; a usage error is INVALID_ARGUMENT;
 * a missing or wrong configuration FAILED_PRECONDITION (the agent cannot work until the file is
 * fixed); everything else INTERNAL, with `prefix` before the message as Medusa words it
 * ("Failed to get backups due to error: ...").
 */
export function statusOf(err: unknown, prefix = ''): { code: GrpcStatus; details: string } {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  if (err instanceof UsageError) return { code: GrpcStatus.INVALID_ARGUMENT, details: err.message };
  // The other exit-2 errors are the configuration's: its file is missing or a key is wrong.
  if (err instanceof MedusaError && err.exitCode === ExitCode.usage) return { code: GrpcStatus.FAILED_PRECONDITION, details: `configuration unusable: ${err.message}` };
  return { code: GrpcStatus.INTERNAL, details: `${prefix}${describeError(err)}` };
}

/** The `ServiceError` grpc-js sends for `err`. Details are one line (newlines would break some clients' logs). */
export function serviceErrorOf(err: unknown, prefix = ''): Partial<ServiceError> {
  const { code, details } = statusOf(err, prefix);
  return { code, details: details.replace(/\s*\n\s*/g, ' '), metadata: new Metadata() };
}
