/**
 * Runs a program to completion with stdin closed (`ignore`). The shared `runCommand` writes to the
 * child's stdin without an error handler, which races into an unhandled EPIPE when the child exits
 * first (shellcheck, bash -n); these tests run many such short commands.
 * @module
 */
import { spawn } from 'node:child_process';
import type { CommandResult } from '../helpers/exec.js';

export function run(cmd: string, args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
