/**
 * A deadline for kubeconfig `exec` credential plugins (`aws eks get-token`, SSO helpers). The
 * Kubernetes client spawns them with no timeout, so a plugin that waits forever (for a browser login,
 * a hung credential source) would hold `collect`, and its child process would keep the CLI alive after
 * the request gave up. The plugin runs under the request deadline and is killed a moment after it passes.
 * @module
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import type { KubeConfig } from '@kubernetes/client-node';

type Spawn = (command: string, args: readonly string[], options: SpawnOptions) => unknown;

/**
 * Makes every `exec` plugin `kc` runs a child killed (SIGKILL) `ms` after it starts. The client keeps
 * its authenticators private, so they are found by shape: the one with a spawning `execFn`.
 */
export function killExecPluginsAfter(kc: KubeConfig, ms: number): void {
  const authenticators = (kc as unknown as { authenticators?: unknown }).authenticators;
  if (!Array.isArray(authenticators)) return;
  for (const a of authenticators) {
    const auth = a as { execFn?: Spawn } | null | undefined;
    if (typeof auth?.execFn !== 'function') continue;
    auth.execFn = (command, args, options) => spawn(command, args, { ...options, timeout: ms, killSignal: 'SIGKILL' });
  }
}
