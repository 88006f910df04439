import { visible } from '../escape.js';

/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** A progress reporter: one line per finished item, and on a TTY a live status line below them. */
export interface Progress {
  readonly line: (text: string) => void;
  /** Rewrites the status line on a terminal (nothing otherwise), at most every {@link REFRESH_MS} unless `now`. */
  readonly refresh: (now?: boolean) => void;
  readonly done: () => void;
}

/** Shortest time between two status lines that {@link Progress.refresh} writes. */
export const REFRESH_MS = 250;

/**
 * Plain lines when the stream is not a terminal; on a terminal each finished line is printed above a
 * status line (`irsa2pi: collecting… N done`) that is rewritten in place and cleared at the end. Each
 * line is one line: line breaks, controls, bidi and invisible characters in it become visible escapes.
 */
export function progressTo(stream: ProgressStream, status = (n: number) => `irsa2pi: collecting… ${n} done`, now: () => number = Date.now): Progress {
  if (!stream.isTTY) return { line: (text) => stream.write(`${visible(text)}\n`), refresh: () => undefined, done: () => undefined };
  let count = 0;
  let shown = now();
  stream.write(status(0));
  return {
    line: (text) => {
      count++;
      shown = now();
      stream.write(`\r\u001b[K${visible(text)}\n${visible(status(count))}`);
    },
    refresh: (force = false) => {
      if (!force && now() - shown < REFRESH_MS) return;
      shown = now();
      stream.write(`\r\u001b[K${visible(status(count))}`);
    },
    done: () => stream.write('\r\u001b[K'),
  };
}
