/** Applies the `[logging]` section and the configured secrets to the process logger. */
import { secretValues } from '../../config/index.js';
import type { MedusaConfig } from '../../config/types.js';
import { logger } from '../../util/logger.js';

/** Adds the rotating log file when `[logging] enabled`, and masks every configured secret. */
export function configureLoggingFromConfig(config: Readonly<MedusaConfig>): void {
  logger.setSecrets(secretValues(config));
  const l = config.logging;
  logger.setFileTarget(
    l.enabled ? { file: l.file, level: l.level, format: l.format, maxBytes: l.maxBytes, backupCount: l.backupCount } : undefined,
  );
}
