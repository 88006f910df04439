import { createRequire } from 'node:module';
import type { Document, YAMLError, YAMLMap, YAMLParseError } from 'yaml';
import { MAX_NESTING_DEPTH, MAX_STRING_CHARS } from './limits.js';

const require = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
/** The yaml package, loaded on the first YAML file: a bundle of JSON (what the collectors write) never needs it. */
export const yaml = (): typeof import('yaml') => (yamlModule ??= require('yaml') as typeof import('yaml'));

/**
 * The yaml parser's stack past which a document surely nests more than {@link MAX_NESTING_DEPTH} levels
 * deep: the stack holds about one token per level of nesting. Kept well below the nesting at which the
 * yaml composer's recursion overflows the call stack (about 800 flow levels), which can abort the process.
 */
export const MAX_PARSER_STACK = 2 * MAX_NESTING_DEPTH;

/**
 * The most aliases a YAML file may hold. kubectl and the AWS CLI write none, and the yaml package looks
 * each one up among every anchor and alias before it: 40,000 in a 1.5 MB file took 50 s, 10,000 took 5 s.
 */
export const MAX_ALIASES = 5_000;

/**
 * The longest token of YAML source read: room for a string of {@link MAX_STRING_CHARS} written with
 * every character escaped (`\uXXXX`) or indented. The yaml package builds a quoted scalar a character
 * at a time: a 400 MB one filled a 4 GB heap.
 */
export const MAX_TOKEN_CHARS = 8 * MAX_STRING_CHARS;

/** Thrown by {@link yamlDocuments} where it stops reading a text, with the offset it got to. */
export class YamlRefused extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where the parser's stack outgrew {@link MAX_PARSER_STACK}. */
export class YamlTooDeep extends YamlRefused {
  constructor(offset: number) {
    super(offset, `nested more than ${MAX_NESTING_DEPTH} levels deep`);
  }
}

/** Where the text uses one alias more than {@link MAX_ALIASES}. */
export class YamlTooManyAliases extends YamlRefused {
  constructor(offset: number) {
    super(offset, `more than ${MAX_ALIASES} aliases`);
  }
}

/** The message of a key that repeats in its mapping: the yaml package's own. */
const DUPLICATE_KEY = 'Map keys must be unique';
/** The message of a key that is a collection. */
const COLLECTION_KEY = 'a mapping key that is a collection, which no JSON document holds';

/**
 * The documents of `text` as the yaml package's `parseAllDocuments` reads them (errors as values, not
 * pretty-printed), one at a time, so that a caller that is done with one can let it go. But:
 * - it stops with {@link YamlTooDeep} once the parser's stack outgrows {@link MAX_PARSER_STACK}: the
 *   parser's tree of a deeply nested text costs about half a KiB a level, so that two MB of `[` took a
 *   GB before the yaml package gave up; and with {@link YamlTooManyAliases} past {@link MAX_ALIASES};
 * - repeated keys are found with one set per mapping, where the yaml package compares every key with
 *   every earlier one (a mapping of 100,000 keys took minutes), and reported with its message, at the
 *   repeated key;
 * - a key that is a collection, or an alias of one, is an error: no JSON document holds one, and the
 *   yaml package would turn it into a string and print a process warning.
 */
export function* yamlDocuments(text: string): Generator<Document.Parsed> {
  const { Composer, CST, Lexer, Parser } = yaml();
  const parser = new Parser();
  function* tokens() {
    let aliases = 0;
    let previous = '';
    for (const lexeme of new Lexer().lex(text)) {
      if (lexeme.startsWith('*') && previous !== CST.SCALAR && ++aliases > MAX_ALIASES) throw new YamlTooManyAliases(parser.offset);
      if (lexeme.length > MAX_TOKEN_CHARS) throw new YamlRefused(parser.offset, `a scalar or other token longer than ${MAX_TOKEN_CHARS} characters`);
      previous = lexeme;
      yield* parser.next(lexeme);
      if (parser.stack.length > MAX_PARSER_STACK) throw new YamlTooDeep(parser.offset);
    }
    yield* parser.end();
  }
  for (const doc of new Composer({ prettyErrors: false, uniqueKeys: false }).compose(tokens())) {
    addKeyErrors(doc);
    yield doc;
  }
}

/** Every document of {@link yamlDocuments}. */
export const parseYamlDocuments = (text: string): Document.Parsed[] => Array.from(yamlDocuments(text));

/** Adds the key errors of {@link yamlDocuments} to `doc.errors`, each before the first error found later in the text. */
function addKeyErrors(doc: Document.Parsed): void {
  const { visit, isAlias, isCollection, isMap, isScalar, YAMLParseError } = yaml();
  const anchors = new Map<string, unknown>();
  const keys = new Map<YAMLMap, Set<unknown>>();
  const found: YAMLParseError[] = [];
  const anchor = (_: unknown, node: { anchor?: string }) => {
    if (node.anchor) anchors.set(node.anchor, node);
  };
  visit(doc, {
    Scalar: anchor,
    Seq: anchor,
    Map: anchor,
    Pair(_, pair, path) {
      const at = (pair.key as { range?: [number, number, number] } | null)?.range?.[0];
      if (at === undefined) return;
      const key = isAlias(pair.key) ? anchors.get(pair.key.source) : pair.key;
      if (isCollection(key)) found.push(new YAMLParseError([at, at + 1], 'NON_STRING_KEY', COLLECTION_KEY));
      const map = path[path.length - 1];
      if (!isMap(map) || !isScalar(pair.key) || Number.isNaN(pair.key.value)) return;
      let seen = keys.get(map);
      if (!seen) keys.set(map, (seen = new Set()));
      if (seen.has(pair.key.value)) found.push(new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', DUPLICATE_KEY));
      else seen.add(pair.key.value);
    },
  });
  if (found.length === 0) return;
  const merged: YAMLError[] = [];
  let next = 0;
  for (const error of doc.errors) {
    for (let earlier = found[next]; earlier && earlier.pos[0] < error.pos[0]; earlier = found[++next]) merged.push(earlier);
    merged.push(error);
  }
  doc.errors.splice(0, doc.errors.length, ...merged, ...found.slice(next));
}

/**
 * Gives every string in `value`, a document the yaml package made, its own copy (in place, in its
 * arrays and plain objects; the value itself when it is a string). The yaml package slices strings out
 * of the text it parses, and V8 keeps a slice of 13 characters or more as a view holding its whole
 * source: one namespace name kept in the inventory would keep the text of its cluster's whole file.
 */
export function ownStrings(value: unknown): unknown {
  if (typeof value === 'string') return own(value);
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    const prototype: unknown = Object.getPrototypeOf(node);
    if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) continue;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === 'string') node[i] = own(child);
        else stack.push(child);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child !== 'string') stack.push(child);
      else if (key === '__proto__') Object.defineProperty(record, key, { value: own(child) });
      else record[key] = own(child);
    }
  }
  return value;
}

const own = (text: string): string => (text.length > 12 ? (JSON.parse(JSON.stringify(text)) as string) : text);

/** The YAML parser's parts that read a kubectl List one entry at a time (loading the parser). */
export const yamlParser = (): { parseAllDocuments: typeof parseYamlDocuments; Lexer: typeof import('yaml').Lexer } => ({
  parseAllDocuments: parseYamlDocuments,
  Lexer: yaml().Lexer,
});
