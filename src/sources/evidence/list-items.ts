/**
 * What the readers of a kubectl List one item at a time (JSON and YAML) share: the items' taker, and
 * giving up on a file so that the caller reads it whole.
 * @module
 */

/** The members of a file's top-level object other than `items`, as far as they have been read. */
export type ListHead = Record<string, unknown>;

/** Takes one parsed element of `items`; may throw to give up on the file. */
export type ItemSink = (item: unknown, index: number, head: Readonly<ListHead>) => void;

/** Why a file is handed back to be read whole. */
export class NotStreamable extends Error {}

/** Gives up on the file unless `condition` holds. */
export function expect(condition: boolean): asserts condition {
  if (!condition) throw new NotStreamable();
}

/** Hands `item` over; whatever its taker throws gives up on the file. */
export function handOver(onItem: ItemSink, item: unknown, index: number, head: Readonly<ListHead>): void {
  try {
    onItem(item, index, head);
  } catch {
    throw new NotStreamable();
  }
}

/** The head `read` returns, or undefined where it gave up on the file; other errors are bugs and pass. */
export function unlessGivenUp<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof NotStreamable) return undefined;
    throw e;
  }
}
