/**
 * The `dog-statsd` provider: a gauge `<name>.<what>:<value>|g` over UDP to the local agent
 * (127.0.0.1:8125, the DogStatsD default), tagged `backup_name:<N>` when `send_backup_name_tag`.
 */
import { createSocket } from 'node:dgram';
import type { MetricsSink, MetricTags } from './types.js';

export function createStatsdSink(options: { sendBackupNameTag: boolean; host?: string; port?: number }): MetricsSink {
  const socket = createSocket('udp4');
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8125;
  return {
    send(tags: MetricTags, value: number): Promise<void> {
      const [name, what, backupName] = tags;
      const tag = options.sendBackupNameTag ? `|#backup_name:${backupName}` : '';
      const payload = Buffer.from(`${name}.${what}:${value}|g${tag}`);
      return new Promise((resolve, reject) => socket.send(payload, port, host, (err) => (err ? reject(err) : resolve())));
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
