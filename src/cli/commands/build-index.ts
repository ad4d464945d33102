/** `medusa build-index`: rebuild the backup index from the backups themselves. */
import type { Command } from 'commander';
import { runBuildIndex } from '../../ops/api/maintenance.js';
import { withCommandContext } from '../context.js';
import type { GlobalsGetter } from './index.js';

export function registerBuildIndex(program: Command, globals: GlobalsGetter): void {
  program
    .command('build-index')
    .description('Rebuild the backup index from the backups found in the bucket')
    .option('--noop', 'only print what would be indexed', false)
    .action((opts: { noop: boolean }) =>
      withCommandContext(globals(), async (session) => {
        const { indexed, latest } = await runBuildIndex(session, { noop: opts.noop });
        session.log.info(`${opts.noop ? 'Would index' : 'Indexed'} ${indexed.length} node backups of ${latest.size} nodes`);
      }),
    );
}
