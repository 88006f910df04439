/**
 * Writing to this process's standard output or error, where a failed write (a full disk behind
 * `> file`) is the user's error rather than a crash.
 * @module
 */
import { once } from 'node:events';
import { errnoOf, outputError } from './output-errors.js';

/**
 * Writes `chunks` to `stream`, waiting for a slow reader, then for the last write to be done. A write
 * that fails is an input error (exit 2) naming `name` (e.g. "standard output"); a reader that went away
 * (EPIPE) is left to the process's own handler, which ends quietly.
 */
export async function writeToStream(stream: NodeJS.WriteStream, chunks: Iterable<string>, name: string): Promise<void> {
  let failed: unknown;
  const onError = (e: unknown) => {
    failed ??= e;
  };
  stream.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (failed !== undefined) break;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'close')]).catch(() => undefined);
    }
    if (failed === undefined)
      await new Promise<void>((resolve) =>
        stream.write('', () => {
          resolve();
        }),
      );
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    stream.off('error', onError);
  }
  if (failed !== undefined && errnoOf(failed) !== 'EPIPE') throw outputError(failed, name);
}
