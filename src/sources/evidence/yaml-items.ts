import type { ItemSink, ListHead } from './json-items.js';

/** What the YAML reader needs of the `yaml` package, which the caller loads. */
export interface YamlParser {
  parseAllDocuments: typeof import('yaml').parseAllDocuments;
}

/** A top-level key kubectl writes: a plain word, then `:` and a space or the line's end. */
const TOP_LEVEL_KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: |$)/;
/** A sequence entry at the start of a line, after its indentation. */
const ENTRY = /^-(?: |$)/;
/** Line breaks other than `\n` and `\r\n`, and a byte order mark past the start, which a line scan could misread. */
const UNUSUAL = /\r(?!\n)|[\u0085\u2028\u2029\uFEFF]/;
const SPACE = 0x20;
const HASH = 0x23;

class NotStreamable extends Error {}

function expect(condition: boolean): asserts condition {
  if (!condition) throw new NotStreamable();
}

interface Line {
  readonly start: number;
  readonly end: number;
  /** The line without its `\r\n` or `\n`. */
  readonly text: string;
}

function* lines(text: string): Generator<Line> {
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    const stop = nl === -1 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
    yield { start, end, text: text.slice(start, stop) };
    start = end;
  }
}

/** The spaces a line starts with (a tab is not indentation in YAML). */
function indentOf(line: string): number {
  let at = 0;
  while (line.charCodeAt(at) === SPACE) at++;
  return at;
}

function isBlankOrComment(line: string): boolean {
  const at = indentOf(line);
  return at === line.length || line.charCodeAt(at) === HASH;
}

/**
 * The value of the one document `text` holds; refused when the whole file's reading could see it
 * otherwise: an error, several documents, an alias (whose expansions the whole file counts together).
 */
function valueOf(parser: YamlParser, text: string): unknown {
  const docs = parser.parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  expect(Array.isArray(docs) && docs.length === 1 && docs[0]!.errors.length === 0);
  try {
    return docs[0]!.toJS({ maxAliasCount: 0 });
  } catch {
    throw new NotStreamable();
  }
}

/**
 * Reads YAML text holding one mapping whose `items` is a block sequence (kubectl's `-o yaml` of a
 * `List`), parsing each entry on its own and handing it to `onItem`, so that only one entry's syntax
 * tree is held at a time where the whole file's would be many times its size. The other top-level keys
 * are parsed first and returned. Undefined whenever the text is anything but that shape written
 * plainly, line by line (top-level keys that are plain words at column 0, entries at one indentation,
 * nothing else at or left of it); when a part has an error, an alias or more than one document; when a
 * part yields what the whole text would not (an entry that is not exactly one entry); and when
 * `onItem` throws: the caller then reads the text whole, for its outcome or its error. Entries handed
 * over before giving up are the caller's to discard.
 */
export function streamYamlListItems(text: string, parser: YamlParser, onItem: ItemSink): ListHead | undefined {
  try {
    return readList(text, parser, onItem);
  } catch (e) {
    if (e instanceof NotStreamable) return undefined;
    throw e;
  }
}

interface Range {
  readonly start: number;
  end: number;
}

/**
 * Splits the text by lines into its top level without the entries of `items` (to parse as one
 * document, where `items` is then null) and the text range of each entry.
 */
function splitList(text: string): { head: string; entries: Range[] } {
  expect(!UNUSUAL.test(text));
  const head: string[] = [];
  const entries: Range[] = [];
  let sawKey = false;
  let itemsKey = false;
  let inItems = false;
  let indent = -1;
  for (const line of lines(text)) {
    if (inItems) {
      if (isBlankOrComment(line.text)) {
        if (entries.length > 0) entries[entries.length - 1]!.end = line.end;
        continue;
      }
      const at = indentOf(line.text);
      if (indent === -1) {
        expect(ENTRY.test(line.text.slice(at)));
        indent = at;
      }
      if (at > indent) {
        entries[entries.length - 1]!.end = line.end;
        continue;
      }
      if (at === indent && ENTRY.test(line.text.slice(at))) {
        entries.push({ start: line.start, end: line.end });
        continue;
      }
      expect(at === 0);
      inItems = false;
    }
    if (isBlankOrComment(line.text) || indentOf(line.text) > 0 || ENTRY.test(line.text)) {
      expect(sawKey || isBlankOrComment(line.text));
      head.push(line.text);
      continue;
    }
    const key = TOP_LEVEL_KEY.exec(line.text);
    expect(key !== null);
    sawKey = true;
    if (key[1] === 'items') {
      expect(!itemsKey && line.text.slice('items:'.length).trim() === '');
      itemsKey = true;
      inItems = true;
    }
    head.push(line.text);
  }
  expect(itemsKey && entries.length > 0);
  return { head: head.join('\n'), entries };
}

function readList(text: string, parser: YamlParser, onItem: ItemSink): ListHead {
  const { head, entries } = splitList(text);
  const top = valueOf(parser, head);
  expect(typeof top === 'object' && top !== null && !Array.isArray(top) && (top as Record<string, unknown>).items === null);
  const list = { ...(top as Record<string, unknown>) };
  delete list.items;
  entries.forEach(({ start, end }, index) => {
    const entry = valueOf(parser, text.slice(start, end));
    expect(Array.isArray(entry) && entry.length === 1);
    try {
      onItem(entry[0], index, list);
    } catch {
      throw new NotStreamable();
    }
  });
  return list;
}
