/**
 * `--stagger` (reference §4.2 step 5): wait until this node's turn. A node goes when it already has
 * a finished backup, when it is first of the tokenmap ordered by tokens, or when the node before it
 * has a finished backup; otherwise it checks again every 60 s until `deadline`, then fails.
 */
import { listNodeBackups, type CatalogContext } from '../catalog/catalog.js';
import type { TokenMap } from '../domain/tokenmap.js';
import type { Clock } from '../util/clock.js';
import { OperationError } from '../util/errors.js';

const POLL_MS = 60_000;

function compareTokenLists(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

/** The host just before `fqdn` when hosts are ordered by token list (Python list order), or undefined if first. */
export function previousHost(tokenmap: TokenMap, fqdn: string): string | undefined {
  const ordered = [...tokenmap.entries()].sort((x, y) => compareTokenLists(x[1].tokens, y[1].tokens));
  const index = ordered.findIndex(([host]) => host === fqdn);
  if (index <= 0) return undefined;
  return ordered[index - 1]![0];
}

async function isMyTurn(ctx: CatalogContext, fqdn: string, tokenmap: TokenMap): Promise<boolean> {
  const backups = await listNodeBackups(ctx);
  const finished = (host: string): boolean => backups.some((b) => b.fqdn === host && b.finished !== undefined);
  if (finished(fqdn)) return true;
  const previous = previousHost(tokenmap, fqdn);
  if (previous === undefined) return true;
  if (finished(previous)) return true;
  ctx.log.info(`Still waiting for ${previous} to finish a backup.`);
  return false;
}

/** Waits for this node's turn; `OperationError` past `deadlineMs` (epoch ms). An aborted `ctx.signal` ends the wait at once (resolving). */
export async function waitForStagger(ctx: CatalogContext & { clock: Clock; signal?: AbortSignal }, fqdn: string, tokenmap: TokenMap, deadlineMs: number): Promise<void> {
  ctx.log.info(`Staggering backup run, trying until ${new Date(deadlineMs).toISOString()}`);
  while (!ctx.signal?.aborted && !(await isMyTurn(ctx, fqdn, tokenmap))) {
    if (ctx.clock.now() >= deadlineMs) throw new OperationError('Backups on previous nodes did not complete within our stagger time.');
    ctx.log.info('Staggering this backup run...');
    await ctx.clock.sleep(POLL_MS, ctx.signal);
  }
}
