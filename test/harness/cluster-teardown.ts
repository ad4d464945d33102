/**
 * The teardown journal of a multi-host cluster (`resources.json` in its folder) and the teardown
 * itself. Every namespace, link, sshd and node is written to the journal *before* it is created,
 * so a start that fails halfway, a crashed test runner, or a later `cli.ts cluster down --dir`
 * can remove exactly what was made, and nothing else.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNodeDescriptor } from './node-descriptor.js';
import { stopNode } from './node-control.js';
import { deleteLink, deleteNetns, netnsPids } from './netns.js';
import { readPidFile, terminateProcess } from './processes.js';

/** What a cluster has created so far. */
export interface ClusterResources {
  bridge?: string;
  netns: string[];
  veths: string[];
  /** sshd pid files with the sshd_config path each sshd was started with (its kill marker). */
  sshd: { pidFile: string; config: string }[];
  nodeDescriptors: string[];
}

const JOURNAL = 'resources.json';

/** Appends to a cluster's journal; every change is on disk before the call returns. */
export class ClusterJournal {
  readonly path: string;
  private readonly resources: ClusterResources;

  constructor(dir: string) {
    this.path = join(dir, JOURNAL);
    this.resources = readJournal(dir) ?? { netns: [], veths: [], sshd: [], nodeDescriptors: [] };
  }

  /** Records a resource about to be created. */
  note(update: (r: ClusterResources) => void): void {
    update(this.resources);
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.resources, null, 2)}\n`);
    renameSync(tmp, this.path);
  }
}

function readJournal(dir: string): ClusterResources | undefined {
  const path = join(dir, JOURNAL);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterResources;
}

/** True when the folder has a journal, i.e. something may still need tearing down. */
export function hasClusterResources(dir: string): boolean {
  return existsSync(join(dir, JOURNAL));
}

/**
 * Removes everything in the cluster's journal: stops each node (SIGTERM, SIGKILL after 10 s),
 * kills every remaining process in each host namespace by pid, deletes the namespaces, veths and
 * the bridge, then deletes the journal. Keeps going past errors and throws them all at the end.
 * Safe to call twice and after a partial start.
 */
export async function teardownCluster(dir: string): Promise<void> {
  const r = readJournal(dir);
  if (!r) return;
  const errors: unknown[] = [];
  const attempt = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (err) {
      errors.push(err);
    }
  };
  await Promise.all(r.nodeDescriptors.filter((p) => existsSync(p))
    .map((p) => attempt(() => stopNode(readNodeDescriptor(p), 10))));
  // Whatever else lives in a host (ssh sessions, Medusa runs, sshd itself) goes by pid.
  await Promise.all(r.netns.map((ns) => attempt(async () => {
    const pids = (await netnsPids(ns)).filter((pid) => pid !== process.pid);
    await Promise.all(pids.map((pid) => terminateProcess(pid, { graceMs: 5000 })));
  })));
  await Promise.all(r.sshd.map((s) => attempt(async () => {
    const pid = readPidFile(s.pidFile);
    if (pid !== undefined) await terminateProcess(pid, { marker: s.config, graceMs: 5000 });
  })));
  for (const ns of r.netns) await attempt(() => deleteNetns(ns));
  for (const veth of r.veths) await attempt(() => deleteLink(veth));
  if (r.bridge) {
    const bridge = r.bridge;
    await attempt(() => deleteLink(bridge));
  }
  if (errors.length > 0) {
    throw new AggregateError(errors, `cluster teardown in ${dir} left errors: ${errors.map(String).join('; ')}`);
  }
  rmSync(join(dir, JOURNAL), { force: true });
}
