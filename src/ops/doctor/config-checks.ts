/**
 * doctor's configuration checks: the file parses with every key valid (the parser reports every
 * problem at once), and the files and folders its keys name can be used: credentials and TLS files
 * readable, cassandra.yaml readable and valid, the log file's and the metrics file's folders
 * writable.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readCassandraYaml, type CassandraYaml } from '../../cassandra/cassandra-yaml.js';
import type { LoadedConfig } from '../../config/load.js';
import { providerKind } from '../../config/providers.js';
import type { MedusaConfig } from '../../config/types.js';
import { describeError } from '../../util/errors.js';
import { fail, ok, type Outcome } from './types.js';
import type { RunCheck } from './storage-checks.js';

/** Loads the configuration as a check; returns it when it loaded. */
export async function configCheck(load: () => Promise<LoadedConfig>, check: RunCheck): Promise<LoadedConfig | undefined> {
  let loaded: LoadedConfig | undefined;
  await check('config', 'config file (every key)', async () => {
    try {
      loaded = await load();
    } catch (err) {
      return fail(describeError(err), 'fix the file, section and key named above (medusa-example.ini lists every key with its default)');
    }
    const warnings = loaded.warnings.length > 0 ? `; warnings: ${loaded.warnings.join('; ')}` : '';
    return ok(`${loaded.filePath}: every key valid${warnings}`);
  });
  return loaded;
}

interface PathRule {
  readonly key: string;
  readonly path: string | undefined;
  /** `read`: the file is readable; `folder`: its folder is writable. */
  readonly need: 'read' | 'folder';
}

function pathRules(c: MedusaConfig): PathRule[] {
  const rules: PathRule[] = [];
  if (providerKind(c.storage.storage_provider) !== 'local') rules.push({ key: '[storage] key_file', path: c.storage.key_file, need: 'read' });
  for (const key of ['certfile', 'usercert', 'userkey', 'nodetool_password_file_path'] as const) {
    rules.push({ key: `[cassandra] ${key}`, path: c.cassandra[key], need: 'read' });
  }
  rules.push({ key: '[ssh] key_file', path: c.ssh.key_file || undefined, need: 'read' });
  if (c.logging.enabled) rules.push({ key: '[logging] file', path: c.logging.file, need: 'folder' });
  if (c.monitoring.monitoring_provider === 'prometheus') rules.push({ key: '[monitoring] prometheus_textfile', path: c.monitoring.prometheus_textfile, need: 'folder' });
  return rules.filter((r) => r.path !== undefined && r.path !== '');
}

/** The files the configuration names; returns cassandra.yaml when it reads. */
export async function configFilesCheck(config: MedusaConfig, check: RunCheck): Promise<CassandraYaml | undefined> {
  let yaml: CassandraYaml | undefined;
  await check('config-files', 'files named in the config', async (): Promise<Outcome> => {
    const problems: string[] = [];
    try {
      yaml = await readCassandraYaml(config.cassandra.config_file);
    } catch (err) {
      problems.push(`[cassandra] config_file: ${describeError(err)}`);
    }
    for (const rule of pathRules(config)) {
      const target = rule.need === 'read' ? rule.path! : dirname(rule.path!);
      const mode = rule.need === 'read' ? constants.R_OK : constants.W_OK | constants.X_OK;
      await access(target, mode).catch((err: unknown) => {
        const what = rule.need === 'read' ? 'cannot read' : 'cannot write in the folder of';
        problems.push(`${rule.key}: ${what} ${rule.path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      });
    }
    if (problems.length > 0) return fail(problems.join('; '), 'make each file named above exist and be readable (folders writable) by the user running medusa, or fix the key');
    return ok(`cassandra.yaml ${config.cassandra.config_file} and ${pathRules(config).length} other file(s) usable`);
  });
  return yaml;
}
