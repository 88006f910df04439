/**
 * Removing what a write leaves behind when SIGINT or SIGTERM stops it.
 * @module
 */

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `work` so that SIGINT or SIGTERM during it first runs `cleanup` (which must be synchronous and
 * idempotent) and then ends the process by that signal, as it would have ended without a handler.
 * Synchronous parts of `work` finish before a signal is handled; a signal that arrives during them is
 * handled before this returns, once the event loop turns.
 */
export async function cleanedUpOnSignal<T>(cleanup: () => void, work: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      cleanup();
    } finally {
      for (const s of SIGNALS) process.off(s, onSignal);
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    }
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    const result = await work();
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
