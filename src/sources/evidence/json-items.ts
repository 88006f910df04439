import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { expect, handOver, unlessGivenUp, type ItemSink, type ListHead } from './list-items.js';
import { BOM } from './parse.js';

export type { ItemSink, ListHead } from './list-items.js';

/** How much of the file is read at a time; a longer element grows the window to hold it. */
export const CHUNK_BYTES = 1 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The file's bytes from the oldest one still needed on, read a chunk at a time. */
class Window {
  buf: Buffer;
  /** File offset of `buf[0]`. */
  base = 0;
  /** File offset just past the last byte held. */
  end = 0;
  private eof = false;

  constructor(
    private readonly fd: number,
    private readonly chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** Reads on until byte `at` is held, dropping the bytes before `keep`; false when the file ends first. */
  hold(at: number, keep: number): boolean {
    while (at >= this.end) {
      if (this.eof) return false;
      const kept = this.end - keep;
      const target = this.bufferFor(kept);
      this.buf.copy(target, 0, keep - this.base, this.end - this.base);
      this.buf = target;
      this.base = keep;
      const read = readSync(this.fd, this.buf, kept, this.buf.length - kept, null);
      if (read === 0) this.eof = true;
      this.end += read;
    }
    return true;
  }

  /** A buffer for `kept` bytes and at least as many more: twice as large when they fill half, a chunk again once a long element is gone. */
  private bufferFor(kept: number): Buffer {
    if (kept > this.buf.length / 2) return Buffer.allocUnsafe(this.buf.length * 2);
    if (this.buf.length > this.chunkBytes && kept <= this.chunkBytes / 2) return Buffer.allocUnsafe(this.chunkBytes);
    return this.buf;
  }

  /** The byte at `at`, or -1 past the end of the file. */
  byte(at: number, keep: number): number {
    return this.hold(at, keep) ? (this.buf[at - this.base] ?? -1) : -1;
  }

  /** Bytes `from` to `to`, parsed as JSON; undefined when they are not valid UTF-8 or not one JSON value. */
  parse(from: number, to: number): { value: unknown } | undefined {
    const bytes = this.buf.subarray(from - this.base, to - this.base);
    if (!isUtf8(bytes)) return undefined;
    try {
      return { value: JSON.parse(bytes.toString('utf8')) };
    } catch {
      return undefined;
    }
  }
}

/** Offset of the first byte at or after `at` that is not JSON whitespace (the end of file gives -1 from `byte`). */
function skipSpace(w: Window, at: number): number {
  while (isSpace(w.byte(at, at))) at++;
  return at;
}

/**
 * Offset just past the string, object or array starting at `from`, found by matching brackets outside
 * strings; -1 when the file ends first. Only the extent is found: the bytes are validated by parsing.
 */
function endOfNested(w: Window, from: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let at = from;
  for (;;) {
    if (!w.hold(at, from)) return -1;
    const { buf, base } = w;
    const stop = w.end - base;
    for (let i = at - base; i < stop; i++) {
      const c = buf[i] ?? -1;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 0) return base + i + 1;
        }
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        if (--depth === 0) return base + i + 1;
      }
    }
    at = w.end;
  }
}

/** Offset just past the value starting at `from` (a number, `true`, `false` or `null` ends at a delimiter). */
function endOfValue(w: Window, from: number): number {
  const first = w.byte(from, from);
  if (first === QUOTE || first === OPEN_BRACE || first === OPEN_BRACKET) return endOfNested(w, from);
  let at = from;
  for (let c = first; c !== -1 && c !== COMMA && c !== CLOSE_BRACE && c !== CLOSE_BRACKET && !isSpace(c); c = w.byte(++at, from));
  return at > from ? at : -1;
}

/** Parses bytes `from` to `to`, or gives up on the file. */
function parsed(w: Window, from: number, to: number): unknown {
  expect(to > from);
  const result = w.parse(from, to);
  expect(result !== undefined);
  return result.value;
}

/** Reads the `items` array starting at `from`, handing over each element; returns the offset past it. */
function readItems(w: Window, from: number, head: ListHead, onItem: ItemSink): number {
  let at = skipSpace(w, from + 1);
  if (w.byte(at, at) === CLOSE_BRACKET) return at + 1;
  for (let index = 0; ; index++) {
    expect(w.byte(at, at) === OPEN_BRACE);
    const end = endOfNested(w, at);
    handOver(onItem, parsed(w, at, end), index, head);
    at = skipSpace(w, end);
    const c = w.byte(at, at);
    if (c === CLOSE_BRACKET) return at + 1;
    expect(c === COMMA);
    at = skipSpace(w, at + 1);
  }
}

function readObject(w: Window, onItem: ItemSink): ListHead {
  const head: ListHead = {};
  let sawItems = false;
  let at = skipSpace(w, BOM.every((b, i) => w.byte(i, 0) === b) ? BOM.length : 0);
  expect(w.byte(at, at) === OPEN_BRACE);
  at = skipSpace(w, at + 1);
  for (;;) {
    expect(w.byte(at, at) === QUOTE);
    const keyEnd = endOfNested(w, at);
    const key = parsed(w, at, keyEnd) as string;
    expect(key !== '__proto__' && !Object.hasOwn(head, key) && !(key === 'items' && sawItems));
    at = skipSpace(w, keyEnd);
    expect(w.byte(at, at) === COLON);
    at = skipSpace(w, at + 1);
    if (key === 'items') {
      expect(w.byte(at, at) === OPEN_BRACKET);
      sawItems = true;
      at = readItems(w, at, head, onItem);
    } else {
      const end = endOfValue(w, at);
      head[key] = parsed(w, at, end);
      at = end;
    }
    at = skipSpace(w, at);
    const c = w.byte(at, at);
    if (c === CLOSE_BRACE) break;
    expect(c === COMMA);
    at = skipSpace(w, at + 1);
  }
  at = skipSpace(w, at + 1);
  expect(w.byte(at, at) === -1 && sawItems);
  return head;
}

/**
 * Reads a JSON file holding one object with an `items` array of objects (kubectl's `List`), handing
 * each element to `onItem` as soon as it is parsed, so that no more than about one element and a
 * chunk of the file are held at once, where `JSON.parse` would hold the whole text and its whole tree.
 * Returns the object's other members; undefined whenever the file is anything but such an object
 * exactly as `JSON.parse` reads it (another shape, bad JSON, bad UTF-8, a repeated top-level key), when
 * `onItem` throws, or when the file cannot be opened or is larger than `maxBytes`: the caller then reads
 * it whole, for its outcome or its error. Elements handed over before giving up are the caller's to
 * discard.
 */
export function streamListItems(path: string, onItem: ItemSink, maxBytes: number, chunkBytes = CHUNK_BYTES): ListHead | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    if (fstatSync(fd).size > maxBytes) return undefined;
    return unlessGivenUp(() => readObject(new Window(fd, chunkBytes), onItem));
  } finally {
    closeSync(fd);
  }
}
