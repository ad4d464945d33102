/**
 * The metrics port. A metric is identified like Medusa's: `[name, what, backupName]`, e.g.
 * `['medusa-node-backup', 'seconds-since-backup', '202401011200']`, plus a numeric value.
 *
 * Besides Medusa's metrics, operations describe what they did as one {@link MetricEvent} (a
 * backup, a purge, a report), with the figures a time-series store wants (start and finish times,
 * bytes and files uploaded and reused, objects deleted). Sinks that keep Medusa's metric set
 * (`local`, `dog-statsd`) have no `record`; the Prometheus sink reads only events.
 */
export type MetricTags = readonly [name: string, what: string, backupName: string];

/** A node backup ended (successfully or not). Times are epoch milliseconds. */
export interface BackupMetricEvent {
  readonly kind: 'backup';
  readonly fqdn: string;
  readonly mode: 'full' | 'differential';
  readonly backupName: string;
  readonly started: number;
  readonly finished: number;
  readonly ok: boolean;
  /** Figures of a successful backup (absent after a failure). */
  readonly figures?: {
    readonly uploadedFiles: number;
    readonly uploadedBytes: number;
    readonly reusedFiles: number;
    readonly reusedBytes: number;
    /** Everything the manifest lists. */
    readonly totalFiles: number;
    readonly totalBytes: number;
  };
}

/** A purge-like command ended (never sent for a dry run). */
export interface PurgeMetricEvent {
  readonly kind: 'purge';
  readonly command: 'purge' | 'delete-backup' | 'purge-decommissioned';
  /** The node the command ran on. */
  readonly fqdn: string;
  /** Epoch ms. */
  readonly finished: number;
  readonly ok: boolean;
  /** Figures of a successful run (absent after a failure). */
  readonly figures?: {
    readonly backupsDeleted: number;
    readonly objectsDeleted: number;
    readonly bytesDeleted: number;
    readonly objectsWithinGrace: number;
  };
}

/** `report-last-backup --push-metrics` ended. Times are epoch seconds as read from the bucket. */
export interface ReportMetricEvent {
  readonly kind: 'report';
  readonly fqdn: string;
  /** Epoch ms the report ran. */
  readonly finished: number;
  /** False when every attempt failed (Medusa's TRACKING-ERROR). */
  readonly ok: boolean;
  /** This node's latest finished backup; absent when it has none. */
  readonly nodeLatestFinished?: number;
  /** The latest complete cluster backup; absent when there is none. */
  readonly clusterCompleteFinished?: number;
  /** The latest cluster backup, complete or not. */
  readonly clusterLatest?: {
    readonly name: string;
    readonly completeNodes: number;
    readonly incompleteNodes: number;
    readonly missingNodes: number;
    readonly totalBytes: number;
    readonly totalFiles: number;
  };
}

/** A cluster orchestration over SSH (backup-cluster, restore-cluster) ended. Times are epoch ms. */
export interface ClusterJobMetricEvent {
  readonly kind: 'cluster-job';
  readonly command: 'backup-cluster' | 'restore-cluster';
  /** The host that ran the orchestration (`[storage] fqdn`). */
  readonly fqdn: string;
  readonly backupName: string;
  readonly started: number;
  readonly finished: number;
  readonly ok: boolean;
  /** Hosts by outcome; all zero when the run failed before any host was tried. */
  readonly hosts: { readonly ok: number; readonly failed: number; readonly notAttempted: number };
}

/** What an operation reports about itself, for sinks that keep state (Prometheus). */
export type MetricEvent = BackupMetricEvent | PurgeMetricEvent | ReportMetricEvent | ClusterJobMetricEvent;

export interface MetricsSink {
  /** One Medusa metric. */
  send(tags: MetricTags, value: number): Promise<void>;
  /**
   * One event (see the module comment). Optional: sinks without it ignore events. A sink with it
   * never rejects for its own storage trouble (it logs a warning): metrics never fail a backup.
   */
  record?(event: MetricEvent): Promise<void>;
  close(): Promise<void>;
}
