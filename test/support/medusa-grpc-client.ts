/**
 * Tests' gRPC client: the reference's own Python stubs and client (test/support/medusa_grpc_client.py)
 * in one long-lived Python process of the `python-medusa` environment, driven over JSON lines.
 *
 * Callers may rely on: every answer is either `{ ok: true, response }` (json_format shapes: proto
 * field names, enums by name, int64 as decimal strings, every field present) or
 * `{ ok: false, code, details }` with the gRPC code's name; a call that does not answer within its
 * timeout (plus 30 s) rejects with a clear message; `close()` ends the process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** TLS material as file paths (PEM). */
export interface ClientTls {
  readonly ca: string;
  readonly cert?: string;
  readonly key?: string;
}

/** One answer of the driver. */
export type RpcAnswer =
  | { readonly ok: true; readonly response: Record<string, unknown> }
  | { readonly ok: false; readonly code: string; readonly details: string };

type Pending = { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** The reference venv's Python (MEDUSA_PY_PYTHON of the `python-medusa` environment). */
export function referencePython(): string {
  const python = process.env.MEDUSA_PY_PYTHON;
  assert.ok(python, 'MEDUSA_PY_PYTHON is not set: run this group through test/run.ts (environment python-medusa)');
  assert.ok(existsSync(python), `MEDUSA_PY_PYTHON=${python} does not exist`);
  return python;
}

export class ReferenceGrpcClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const { id, ...msg } = JSON.parse(line) as Record<string, unknown> & { id: number };
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(msg);
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-8000)));
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`the Python gRPC client exited (${code ?? signal}):\n${this.stderr}`));
      }
      this.pending.clear();
    });
  }

  /** Starts the driver with the reference venv's Python. */
  static start(python = referencePython()): ReferenceGrpcClient {
    const script = join(import.meta.dirname, 'medusa_grpc_client.py');
    const child = spawn(python, ['-u', script], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    return new ReferenceGrpcClient(child);
  }

  private send(msg: Record<string, unknown>, timeoutS: number): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the Python gRPC client gave no answer to ${JSON.stringify(msg).slice(0, 200)} within ${timeoutS + 30} s`));
      }, (timeoutS + 30) * 1000);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin.write(`${JSON.stringify({ ...msg, id })}\n`);
    });
  }

  /** Calls `rpc` through `medusa_pb2_grpc.MedusaStub`. */
  async call(target: string, rpc: string, request: Record<string, unknown> = {}, o: { tls?: ClientTls; timeoutS?: number } = {}): Promise<RpcAnswer> {
    const timeout = o.timeoutS ?? 120;
    const answer = await this.send({ op: 'call', target, rpc, request, timeout, ...(o.tls ? { tls: o.tls } : {}) }, timeout);
    return driverAnswer(answer);
  }

  /** Starts `rpc` and cancels it after `afterMs` (a client that goes away mid-call). */
  async cancelAfter(target: string, rpc: string, request: Record<string, unknown>, afterMs: number): Promise<RpcAnswer> {
    return driverAnswer(await this.send({ op: 'cancel', target, rpc, request, after_ms: afterMs, timeout: 120 }, 120));
  }

  /** One method of the reference's `Client` (client.py); its return value as JSON. */
  async client(target: string, method: string, ...args: unknown[]): Promise<unknown> {
    const answer = await this.send({ op: 'client', target, method, args }, 120);
    assert.equal(answer.ok, true, `Client.${method}: ${JSON.stringify(answer)}`);
    return answer.result;
  }

  /** grpc.health.v1 Check: the serving status name, or the error. */
  async health(target: string, o: { tls?: ClientTls; service?: string } = {}): Promise<{ ok: true; status: string } | { ok: false; code: string; details: string }> {
    const answer = await this.send({ op: 'health', target, ...(o.tls ? { tls: o.tls } : {}), ...(o.service !== undefined ? { service: o.service } : {}) }, 30);
    if (answer.code === 'DRIVER') throw new Error(`driver failure: ${String(answer.details)}`);
    return answer as { ok: true; status: string } | { ok: false; code: string; details: string };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function driverAnswer(answer: Record<string, unknown>): RpcAnswer {
  if (answer.code === 'DRIVER') throw new Error(`the Python gRPC client failed: ${String(answer.details)}`);
  return answer as unknown as RpcAnswer;
}

/** The response of a successful answer; fails the test with the status otherwise. */
export function okResponse(answer: RpcAnswer, what: string): Record<string, unknown> {
  if (!answer.ok) assert.fail(`${what}: expected success, got ${answer.code}: ${answer.details}`);
  return answer.response;
}
