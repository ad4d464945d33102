/**
 * PurgeBackups: retention for this node as `[storage]` sets it (`max_backup_age`,
 * `max_backup_count`, `backup_grace_period_in_days`), with our purge's rules (design §2 item 5:
 * only complete backups count, the newest complete one is never purged). Answers the four
 * counters k8ssandra's MedusaTask stores. Any failure is one INTERNAL status (Medusa's purge may
 * end the whole server with `sys.exit`). Like a deletion, it runs to its end if the client goes away.
 */
import { runPurge } from '../../ops/api/purge.js';
import type { AgentContext } from '../context.js';
import type { PurgeBackupsResponse } from '../wire.js';

export async function purgeBackups(ctx: AgentContext): Promise<PurgeBackupsResponse> {
  return ctx.configs.with(async ({ session }) => {
    const s = session.config.storage;
    ctx.log.info(`Purging backups with max age ${s.max_backup_age} and max count ${s.max_backup_count}`);
    const t = (await runPurge(session, { dryRun: false })).totals;
    return {
      nbBackupsPurged: t.nbBackupsPurged,
      nbObjectsPurged: t.nbObjectsPurged,
      totalPurgedSize: String(t.totalPurgedSize),
      totalObjectsWithinGcGrace: t.totalObjectsWithinGcGrace,
    };
  });
}
