/**
 * Small process helpers shared by the real-component test harness.
 * @module
 */
import { spawn } from 'node:child_process';
import net from 'node:net';

/** Outcome of {@link runCommand}: never throws on a non-zero exit. */
export interface CommandResult {
  /** Exit code (`null` when the process was killed by a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  /** Extra environment variables, merged over `process.env`. */
  env?: Record<string, string | undefined>;
  /** Text written to the child's stdin; without it stdin is not connected at all. */
  input?: string;
  /** Working directory. */
  cwd?: string;
  /** Kill the child after this many milliseconds (default 30 000). */
  timeoutMs?: number;
}

/**
 * Runs a command to completion and collects its output. Resolves with the exit code instead of
 * rejecting on failure, so tests can assert on error exits; rejects only when the program cannot
 * be started (e.g. not on PATH).
 */
export function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** Finds a free TCP port on 127.0.0.1 by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}
