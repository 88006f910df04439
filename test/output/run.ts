/** Running the built CLI against `--out` paths, for the output tests. */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'irsa2pi.js');
export const DEMO = join(ROOT, 'fixtures', 'demo');
export const ENV = { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' };

/** Runs the CLI to its end (killed after `timeout` ms), from `cwd` (the repository by default). */
export function cli(args: readonly string[], options: SpawnSyncOptions & { timeout?: number } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: ENV, timeout: 30_000, ...options });
  return { code: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts the CLI without waiting for it. */
export function start(args: readonly string[]) {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Exit 2 with exactly one `irsa2pi: error:` line that names `path` and matches `message`, no stack trace. */
export function expectOutputError(r: ReturnType<typeof cli>, path: string, message: RegExp): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^irsa2pi: error: /);
  expect(lines[0]).toContain(path);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toContain('internal error');
}
