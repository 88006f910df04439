/** Something a test starts and has to stop: a server, an emulator, a world of them. */
export interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * Stops each of `running` in turn. A suite's servers are unassigned when the `beforeAll` that starts
 * them failed part-way, whatever their declared type says; an unassigned one is passed over.
 */
export async function stopAll(...running: (Stoppable | undefined)[]): Promise<void> {
  for (const r of running) await r?.stop();
}
