/**
 * What a command runs with: the loaded configuration, the opened storage and the bucket layout,
 * built from the global options on first use (so `--help` and `--version` need no config file).
 */
import type { CatalogContext } from '../catalog/catalog.js';
import { loadConfig, type LoadOptions } from '../config/index.js';
import type { MedusaConfig } from '../config/types.js';
import type { BucketLayout } from '../layout/keys.js';
import { openStorage } from '../storage/open.js';
import type { StorageBackend } from '../storage/types.js';
import { logger } from '../util/logger.js';
import type { GlobalOptions } from './global-options.js';
import { configureLoggingFromConfig } from './logging-setup.js';

export interface CommandContext extends CatalogContext {
  readonly config: Readonly<MedusaConfig>;
  readonly storage: StorageBackend;
  readonly layout: BucketLayout;
}

/** The `loadConfig` options the global options ask for (file, overrides, environment). */
export function configLoadOptions(globals: GlobalOptions): LoadOptions {
  return {
    ...(globals.configFile !== undefined ? { configFile: globals.configFile } : {}),
    overrides: {
      ...(globals.bucketName !== undefined ? { bucket_name: globals.bucketName } : {}),
      ...(globals.keyFile !== undefined ? { key_file: globals.keyFile } : {}),
      ...(globals.prefix !== undefined ? { prefix: globals.prefix } : {}),
      ...(globals.fqdn !== undefined ? { fqdn: globals.fqdn } : {}),
      ...(globals.backupGracePeriodInDays !== undefined ? { backup_grace_period_in_days: globals.backupGracePeriodInDays } : {}),
      ...(globals.sshUsername !== undefined ? { ssh_username: globals.sshUsername } : {}),
      ...(globals.sshKeyFile !== undefined ? { ssh_key_file: globals.sshKeyFile } : {}),
    },
    env: process.env,
  };
}

/** Loads the configuration named by the global options, applying their overrides. */
export async function loadConfigFromOptions(globals: GlobalOptions): Promise<Readonly<MedusaConfig>> {
  const { config, warnings } = await loadConfig(configLoadOptions(globals));
  configureLoggingFromConfig(config);
  for (const w of warnings) logger.warning(w);
  return config;
}

/** Loads the configuration and opens the configured storage. The caller closes `storage`. */
export async function createCommandContext(globals: GlobalOptions): Promise<CommandContext> {
  const config = await loadConfigFromOptions(globals);
  const storage = await openStorage(config);
  return { config, storage, layout: { prefix: config.storage.prefix }, log: logger };
}

/** Runs `body` with a command context, closing the storage afterwards in every path. */
export async function withCommandContext<T>(globals: GlobalOptions, body: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const ctx = await createCommandContext(globals);
  try {
    return await body(ctx);
  } finally {
    await ctx.storage.close();
  }
}
