/**
 * The metrics port. A metric is identified like Medusa's: `[name, what, backupName]`, e.g.
 * `['medusa-node-backup', 'seconds-since-backup', '202401011200']`, plus a numeric value.
 */
export type MetricTags = readonly [name: string, what: string, backupName: string];

export interface MetricsSink {
  send(tags: MetricTags, value: number): Promise<void>;
  close(): Promise<void>;
}
