/**
 * The SSH executor (ssh2): one connection per command, host keys checked against known_hosts
 * before any credential is sent, key-file and/or agent authentication, keepalives, optional PTY
 * and login shell, `sudo` when asked. Every way a host can fail is reported as a
 * {@link CommandOutcome} failure kind, never thrown.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client, type ConnectConfig } from 'ssh2';
import type { SshSection } from '../config/types.js';
import { ConfigError } from '../util/errors.js';
import { checkHostKey, readKnownHosts, type KnownHostEntry } from './known-hosts.js';
import { shellQuote } from './shell-quote.js';
import type { CommandOutcome, HostFailureKind, OutputSinks, RemoteExecutor } from './types.js';

/** What the SSH executor needs: `[ssh]`, plus where known_hosts and the agent are. */
export interface SshExecutorOptions {
  readonly ssh: SshSection;
  /** Prefix commands with `sudo -n` (`[cassandra] use_sudo`), except when logging in as root. */
  readonly useSudo: boolean;
  /** Default: `$MEDUSA_SSH_KNOWN_HOSTS`, else `~/.ssh/known_hosts`. */
  readonly knownHostsPath?: string;
  /** Default: `$SSH_AUTH_SOCK`. */
  readonly agentSocket?: string;
  /** How long connecting and authenticating may take. Default 30 s. */
  readonly connectTimeoutMs?: number;
}

/** known_hosts path used when none is given. */
export function defaultKnownHostsPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['MEDUSA_SSH_KNOWN_HOSTS'] || join(homedir(), '.ssh', 'known_hosts');
}

/**
 * The command line actually sent: sudo and login-shell wrapping applied (reference §2.3 / §4.8).
 * Exported for tests.
 */
export function wrapRemoteCommand(command: string, options: { useSudo: boolean; loginShell: boolean; username: string }): string {
  let line = command;
  if (options.loginShell) line = `"\${SHELL:-/bin/sh}" -lc ${shellQuote(line)}`;
  if (options.useSudo && options.username !== 'root') line = `sudo -n sh -c ${shellQuote(line)}`;
  return line;
}

function classify(err: Error & { level?: string; code?: string }): HostFailureKind {
  if (err.code === 'ECONNREFUSED') return 'connection-refused';
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'unreachable';
  if (err.level === 'client-authentication') return 'auth';
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') return 'unreachable';
  return 'error';
}

export class SshExecutor implements RemoteExecutor {
  private readonly knownHostsPath: string;
  private knownHosts: KnownHostEntry[] | undefined;
  private readonly privateKey: Buffer | undefined;
  private readonly open = new Set<Client>();

  /** Reads the key file at once: a missing key or a certificate is a `ConfigError` before any host is touched. */
  constructor(private readonly options: SshExecutorOptions) {
    this.knownHostsPath = options.knownHostsPath ?? defaultKnownHostsPath();
    const { ssh } = options;
    if (ssh.cert_file !== '') {
      // ssh2 has no OpenSSH user-certificate authentication: refuse rather than silently log in without it.
      throw new ConfigError([{ section: 'ssh', key: 'cert_file', message: 'OpenSSH certificates are not supported by this SSH client; remove cert_file and authorize the key (or use the agent)' }]);
    }
    if (ssh.key_file !== '') {
      try {
        this.privateKey = readFileSync(ssh.key_file);
      } catch (err) {
        throw new ConfigError([{ section: 'ssh', key: 'key_file', message: `cannot read ${ssh.key_file} (${(err as NodeJS.ErrnoException).code ?? String(err)})` }]);
      }
    }
    if (this.privateKey === undefined && !this.agentSocket()) {
      throw new ConfigError([{ section: 'ssh', key: 'key_file', message: 'no key_file and no SSH agent (SSH_AUTH_SOCK): no way to authenticate' }]);
    }
  }

  private agentSocket(): string | undefined {
    const s = this.options.agentSocket ?? process.env['SSH_AUTH_SOCK'];
    return s === undefined || s === '' ? undefined : s;
  }

  run(host: string, command: string, sinks: OutputSinks, runOptions: { readonly timeoutMs: number }): Promise<CommandOutcome> {
    const { ssh } = this.options;
    this.knownHosts ??= readKnownHosts(this.knownHostsPath);
    const entries = this.knownHosts;
    const line = wrapRemoteCommand(command, { useSudo: this.options.useSudo, loginShell: ssh.login_shell, username: ssh.username });
    return new Promise<CommandOutcome>((resolve) => {
      const client = new Client();
      this.open.add(client);
      let settled = false;
      let hostKeyProblem: CommandOutcome['failure'];
      let exitCode: number | undefined;
      let exitSignal: string | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: CommandOutcome): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.open.delete(client);
        client.end();
        resolve(outcome);
      };
      const agent = this.agentSocket();
      const config: ConnectConfig = {
        host,
        port: ssh.port,
        username: ssh.username,
        readyTimeout: this.options.connectTimeoutMs ?? 30_000,
        keepaliveInterval: ssh.keepalive_seconds * 1000,
        keepaliveCountMax: 3,
        ...(this.privateKey ? { privateKey: this.privateKey } : {}),
        ...(agent ? { agent, agentForward: true } : {}),
        hostVerifier: (key: Buffer): boolean => {
          const verdict = checkHostKey(entries, host, ssh.port, key, this.knownHostsPath);
          if (!verdict.ok) hostKeyProblem = { kind: verdict.kind, message: verdict.message };
          return verdict.ok;
        },
      };
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (hostKeyProblem) finish({ exitCode: undefined, failure: hostKeyProblem });
        else finish({ exitCode: undefined, failure: { kind: classify(err), message: `${host}: ${err.message}` } });
      });
      client.on('close', () => {
        if (exitCode !== undefined) finish({ exitCode, ...(exitCode !== 0 ? { failure: { kind: 'exit', message: `exit code ${exitCode}` } } : {}) });
        else finish({ exitCode: undefined, failure: hostKeyProblem ?? { kind: 'connection-lost', message: `${host}: connection closed before the command ended${exitSignal ? ` (signal ${exitSignal})` : ''}` } });
      });
      client.on('ready', () => {
        timer = setTimeout(() => {
          finish({ exitCode: undefined, failure: { kind: 'timeout', message: `no end after ${Math.round(runOptions.timeoutMs / 1000)} s (the job may still run on the host)` } });
        }, runOptions.timeoutMs);
        client.exec(line, ssh.use_pty ? { pty: true } : {}, (err, stream) => {
          if (err) {
            finish({ exitCode: undefined, failure: { kind: 'error', message: `${host}: cannot start the command: ${err.message}` } });
            return;
          }
          stream.on('data', (d: Buffer) => sinks.stdout(d));
          stream.stderr.on('data', (d: Buffer) => sinks.stderr(d));
          stream.on('exit', (code: number | null, signal?: string) => {
            if (typeof code === 'number') exitCode = code;
            else exitSignal = signal;
          });
          stream.on('close', () => {
            if (exitCode !== undefined) finish({ exitCode, ...(exitCode !== 0 ? { failure: { kind: 'exit', message: `exit code ${exitCode}` } } : {}) });
            else finish({ exitCode: undefined, failure: { kind: 'connection-lost', message: `${host}: the command ended without an exit code${exitSignal ? ` (signal ${exitSignal})` : ''}` } });
          });
        });
      });
      client.connect(config);
    });
  }

  close(): Promise<void> {
    for (const c of this.open) c.end();
    this.open.clear();
    return Promise.resolve();
  }
}
