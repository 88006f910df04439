import { expect, handOver, NotStreamable, unlessGivenUp, type ItemSink, type ListHead } from './list-items.js';
import { ownStrings } from './yaml-documents.js';
import { present } from '../../errors.js';

/** What the YAML reader needs of the `yaml` package, which the caller loads. */
export interface YamlParser {
  parseAllDocuments: (text: string) => import('yaml').Document.Parsed[];
  Lexer: typeof import('yaml').Lexer;
}

/** A top-level key kubectl writes: a plain word, then `:` and a space or the line's end. */
const TOP_LEVEL_KEY = /^([A-Za-z_][A-Za-z0-9_./-]*):(?: |$)/;
/** A sequence entry at the start of a line, after its indentation. */
const ENTRY = /^-(?: |$)/;
/**
 * Line breaks other than `\n` and `\r\n` and a byte order mark (the reader drops one at the start),
 * which a line scan could misread, and the control characters the yaml lexer uses as markers, which
 * would upset the offsets.
 */
const UNUSUAL = /\r(?!\n)|[\u0085\u2028\u2029\uFEFF\x02\x18\x1f]/;
/** The yaml lexer's tokens that mark a place without standing for any of the text. */
const MARKERS = new Set(['\x02', '\x18', '\x1f']);
const SPACE = 0x20;
const HASH = 0x23;
const TAB = 0x09;

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

/**
 * The value of the one document `text` holds; refused when the whole file's reading could see it
 * otherwise: an error, several documents, an alias (whose expansions the whole file counts together).
 */
function valueOf(parser: YamlParser, text: string): unknown {
  let docs;
  try {
    docs = parser.parseAllDocuments(text);
  } catch {
    throw new NotStreamable();
  }
  const doc = Array.isArray(docs) && docs.length === 1 ? docs[0] : undefined;
  expect(doc !== undefined && doc.errors.length === 0);
  try {
    return ownStrings(doc.toJS({ maxAliasCount: 0 }));
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
  return unlessGivenUp(() => readList(text, parser, onItem));
}

interface Range {
  readonly start: number;
  end: number;
}

/** Where the text is split: the start of a top-level key's line, or the dash of an entry. */
interface Cut {
  readonly at: number;
  readonly dash: boolean;
}

/**
 * Splits the text by lines into its top level without the entries of `items` (to parse as one
 * document, where `items` is then null, byte for byte as written), the text range of each entry, and
 * the places the split relies on, in order.
 */
function splitList(text: string): { head: string; entries: Range[]; cuts: Cut[] } {
  expect(!UNUSUAL.test(text));
  const head: string[] = [];
  const entries: Range[] = [];
  const cuts: Cut[] = [];
  let sawKey = false;
  let itemsKey = false;
  let inItems = false;
  let indent = -1;
  /** Where the current entry's content starts; -1 until a line shows it. */
  let content = -1;
  for (const line of lines(text)) {
    const at = indentOf(line.text);
    expect(line.text.charCodeAt(at) !== TAB);
    if (inItems) {
      if (at === line.text.length) {
        const last = entries.at(-1);
        if (last) last.end = line.end;
        continue;
      }
      if (line.text.charCodeAt(at) === HASH) {
        const last = entries.at(-1);
        expect(last !== undefined && content !== -1 && at >= content);
        last.end = line.end;
        continue;
      }
      if (indent === -1) {
        expect(ENTRY.test(line.text.slice(at)));
        indent = at;
      }
      if (at > indent) {
        if (content === -1) content = at;
        present(entries.at(-1), 'the entry an indented line continues').end = line.end;
        continue;
      }
      if (at === indent && ENTRY.test(line.text.slice(at))) {
        entries.push({ start: line.start, end: line.end });
        cuts.push({ at: line.start + at, dash: true });
        const after = indentOf(line.text.slice(at + 1)) + at + 1;
        content = after < line.text.length && line.text.charCodeAt(after) !== HASH ? after : -1;
        continue;
      }
      expect(at === 0);
      inItems = false;
    }
    const blankOrComment = at === line.text.length || line.text.charCodeAt(at) === HASH;
    if (blankOrComment || at > 0 || ENTRY.test(line.text)) {
      expect(sawKey || blankOrComment);
      head.push(text.slice(line.start, line.end));
      continue;
    }
    const key = TOP_LEVEL_KEY.exec(line.text);
    expect(key !== null);
    sawKey = true;
    cuts.push({ at: line.start, dash: false });
    if (key[1] === 'items') {
      expect(!itemsKey && line.text.slice('items:'.length).trim() === '');
      itemsKey = true;
      inItems = true;
    }
    head.push(text.slice(line.start, line.end));
  }
  expect(itemsKey && entries.length > 0);
  return { head: head.join(''), entries, cuts };
}

/**
 * Whether the yaml lexer, reading the whole text, starts a token outside any flow collection at every
 * cut (a dash at each entry's): so no scalar, quoted, plain or block, runs across a cut, as the line
 * scan assumed. The lexer streams its tokens; it holds no tree.
 */
function lexedAtCuts(text: string, parser: YamlParser, cuts: readonly Cut[]): boolean {
  let offset = 0;
  let depth = 0;
  let next = 0;
  for (const token of new parser.Lexer().lex(text)) {
    if (MARKERS.has(token)) continue;
    const cut = cuts[next];
    if (cut !== undefined) {
      if (cut.at < offset) return false;
      if (cut.at === offset) {
        if (depth !== 0 || (cut.dash && token !== '-')) return false;
        next++;
      }
    }
    if (token === '[' || token === '{') depth++;
    else if (token === ']' || token === '}') depth--;
    offset += token.length;
  }
  return next === cuts.length && offset === text.length;
}

function readList(text: string, parser: YamlParser, onItem: ItemSink): ListHead {
  const { head, entries, cuts } = splitList(text);
  const top = valueOf(parser, head);
  expect(typeof top === 'object' && top !== null && !Array.isArray(top) && (top as Record<string, unknown>).items === null);
  expect(lexedAtCuts(text, parser, cuts));
  const list = { ...(top as Record<string, unknown>) };
  delete list.items;
  entries.forEach(({ start, end }, index) => {
    const entry = valueOf(parser, text.slice(start, end));
    expect(Array.isArray(entry) && entry.length === 1);
    handOver(onItem, entry[0], index, list);
  });
  return list;
}
