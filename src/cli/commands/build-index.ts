/** `medusa build-index`: rebuild the backup index from the backups themselves. */
import type { Command } from 'commander';
import { buildIndex } from '../../ops/build-index.js';
import { withCommandContext } from '../context.js';
import type { GlobalsGetter } from './index.js';

export function registerBuildIndex(program: Command, globals: GlobalsGetter): void {
  program
    .command('build-index')
    .description('Rebuild the backup index from the backups found in the bucket')
    .option('--noop', 'only print what would be indexed', false)
    .action((opts: { noop: boolean }) =>
      withCommandContext(globals(), async (ctx) => {
        const { indexed, latest } = await buildIndex(ctx, opts.noop);
        ctx.log.info(`${opts.noop ? 'Would index' : 'Indexed'} ${indexed.length} node backups of ${latest.size} nodes`);
      }),
    );
}
