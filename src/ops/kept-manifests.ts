/**
 * The object paths named by the manifests of the backups a purge keeps: what the orphan cleanup
 * must never delete. Each manifest is read once and only its paths are kept (differential
 * manifests share most paths, so the set stays about the size of the node's pool).
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { DocumentError } from '../domain/document-error.js';
import { parseManifest } from '../domain/manifest.js';
import { indexKey, metaKey } from '../layout/keys.js';
import { NotFoundError } from '../storage/errors.js';
import { getText } from '../storage/helpers.js';

/**
 * Where a backup's manifest was found: `meta` (restorable), `index` (only the index copy is left:
 * its paths are still protected), `none` (unfinished or gone), `damaged` (unreadable: nothing about
 * the node's pool can be known to be unreferenced).
 */
export type ManifestSource = 'meta' | 'index' | 'none' | 'damaged';

async function readOptional(ctx: CatalogContext, key: string): Promise<string | undefined> {
  try {
    return await getText(ctx.storage, key);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Accumulates the paths of one node's kept manifests. */
export class KeptManifests {
  /** Every path of every manifest added so far. */
  readonly paths = new Set<string>();
  private readonly sources = new Map<string, ManifestSource>();

  constructor(
    private readonly ctx: CatalogContext,
    readonly fqdn: string,
  ) {}

  /** Whether the backup's manifest was already read. */
  has(name: string): boolean {
    return this.sources.has(name);
  }

  /** Where the backup's manifest was found, if it was read. */
  sourceOf(name: string): ManifestSource | undefined {
    return this.sources.get(name);
  }

  /** Names whose manifest paths were added (source `meta` or `index`). */
  contributors(): string[] {
    return [...this.sources].filter(([, s]) => s === 'meta' || s === 'index').map(([n]) => n);
  }

  /** True when some manifest could not be read: the orphan cleanup must not run. */
  get damaged(): boolean {
    return [...this.sources.values()].includes('damaged');
  }

  /**
   * Reads backup `name`'s manifest (meta, else the index copy) and adds its paths. Storage errors
   * other than a missing object propagate; an unparsable manifest is reported as `damaged`.
   */
  async add(name: string): Promise<ManifestSource> {
    const known = this.sources.get(name);
    if (known !== undefined) return known;
    const { ctx, fqdn } = this;
    let source: ManifestSource = 'none';
    for (const [where, key] of [
      ['meta', metaKey(ctx.layout, fqdn, name, 'manifest.json')],
      ['index', indexKey(ctx.layout, { kind: 'manifest', backupName: name, fqdn })],
    ] as const) {
      const text = await readOptional(ctx, key);
      if (text === undefined) continue;
      try {
        for (const section of parseManifest(text, key)) for (const o of section.objects) this.paths.add(o.path);
        source = where;
      } catch (err) {
        if (!(err instanceof DocumentError)) throw err;
        ctx.log.warning(`${err.message}: files of node ${fqdn} are not cleaned up while it cannot be read`);
        source = 'damaged';
      }
      break;
    }
    if (source === 'index') ctx.log.warning(`Backup ${name} of ${fqdn} has lost ${metaKey(ctx.layout, fqdn, name, 'manifest.json')}; its files are kept (the index holds a copy)`);
    this.sources.set(name, source);
    return source;
  }
}
