/**
 * The agent's wire contract: `proto/medusa.proto` (Medusa's service, spec medusa-agent.md §1),
 * loaded at run time by `@grpc/proto-loader`, and the TypeScript shapes of its messages as the
 * handlers see them.
 *
 * Loader settings callers may rely on: field names exactly as in the proto (`keepCase`); enums as
 * their names (`'SUCCESS'`); 64-bit integers as decimal strings both ways (`longs: String`), so
 * tokens and sizes cross the wire without going through a JS `number`; absent fields read as
 * their proto3 defaults. A request enum holding a number the proto does not name arrives as that
 * number.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** The proto file (repository root `proto/`, beside both `src/` and `dist/`). */
export const MEDUSA_PROTO_PATH = fileURLToPath(new URL('../../proto/medusa.proto', import.meta.url));

/** `StatusType`. */
export type StatusType = 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' | 'UNKNOWN';

/** A 64-bit integer as decimal text (see the module comment). */
export type Int64 = string;

export interface BackupRequest {
  readonly name: string;
  readonly mode: 'DIFFERENTIAL' | 'FULL' | number;
}
export interface BackupResponse {
  readonly backupName: string;
  readonly status: StatusType;
}
export interface BackupStatusRequest {
  readonly backupName: string;
}
export interface BackupStatusResponse {
  readonly startTime: string;
  readonly finishTime: string;
  readonly status: StatusType;
}
export interface DeleteBackupRequest {
  readonly name: string;
}
export interface DeleteBackupResponse {
  readonly name: string;
  readonly status: StatusType;
}
export interface GetBackupRequest {
  readonly backupName: string;
}
export interface GetBackupResponse {
  readonly backup: BackupSummaryMessage;
  readonly status: StatusType;
}
export type GetBackupsRequest = Record<string, never>;
export interface GetBackupsResponse {
  readonly backups: readonly BackupSummaryMessage[];
  readonly overallStatus: StatusType;
}
export interface BackupNodeMessage {
  readonly host: string;
  readonly tokens: readonly Int64[];
  readonly datacenter: string;
  readonly rack: string;
}
export interface BackupSummaryMessage {
  readonly backupName: string;
  readonly startTime: Int64;
  readonly finishTime: Int64;
  readonly totalNodes: number;
  readonly finishedNodes: number;
  readonly nodes: readonly BackupNodeMessage[];
  readonly status: StatusType;
  readonly backupType: string;
  readonly totalSize: Int64;
  readonly totalObjects: Int64;
}
export type PurgeBackupsRequest = Record<string, never>;
export interface PurgeBackupsResponse {
  readonly nbBackupsPurged: number;
  readonly nbObjectsPurged: number;
  readonly totalPurgedSize: Int64;
  readonly totalObjectsWithinGcGrace: number;
}
export interface PrepareRestoreRequest {
  readonly backupName: string;
  readonly datacenter: string;
  readonly restoreKey: string;
}
export type PrepareRestoreResponse = Record<string, never>;

/** Request and response types of every rpc, by method name. */
export interface MedusaRpcs {
  Backup: [BackupRequest, BackupResponse];
  AsyncBackup: [BackupRequest, BackupResponse];
  BackupStatus: [BackupStatusRequest, BackupStatusResponse];
  DeleteBackup: [DeleteBackupRequest, DeleteBackupResponse];
  GetBackup: [GetBackupRequest, GetBackupResponse];
  GetBackups: [GetBackupsRequest, GetBackupsResponse];
  PurgeBackups: [PurgeBackupsRequest, PurgeBackupsResponse];
  PrepareRestore: [PrepareRestoreRequest, PrepareRestoreResponse];
}

/** An rpc name. */
export type RpcName = keyof MedusaRpcs;

/** Every rpc of the service, in proto order. */
export const RPC_NAMES: readonly RpcName[] = ['Backup', 'AsyncBackup', 'BackupStatus', 'DeleteBackup', 'GetBackup', 'GetBackups', 'PurgeBackups', 'PrepareRestore'];

let loaded: ServiceDefinition | undefined;

/** The `Medusa` service definition (paths `/Medusa/<Rpc>`), loaded once. */
export function medusaServiceDefinition(): ServiceDefinition {
  loaded ??= loadSync(MEDUSA_PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true })['Medusa'] as ServiceDefinition;
  return loaded;
}
