import { constants, isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { InputError, locate } from '../../errors.js';

/** The largest evidence file the reader accepts: 512 MiB, or less where that is more than one string can hold. */
export const MAX_FILE_BYTES = Math.min(512 * 1024 * 1024, constants.MAX_STRING_LENGTH);

/**
 * The deepest nesting of arrays and objects the reader accepts in AWS documents. AWS CLI output stays far
 * below it; deeper documents would overflow the recursive helpers downstream (policy analysis,
 * JSON.stringify of trusts), so they are refused with a clean error. Kubernetes objects are only read
 * at fixed paths, so their nesting is never walked.
 */
export const MAX_NESTING_DEPTH = 256;

export type EvidenceFormat = 'json' | 'yaml';

const require = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
/** The YAML parser, loaded on the first YAML file: a bundle of JSON (what the collectors write) never needs it. */
const yaml = () => (yamlModule ??= require('yaml') as typeof import('yaml'));

export function formatOf(path: string): EvidenceFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

/** The UTF-8 byte order mark, which an evidence file may start with. */
export const BOM: readonly number[] = [0xef, 0xbb, 0xbf];

/**
 * Gives every string in `value`, a document the yaml package made, its own copy (in place; the value
 * itself when it is a string). The yaml package slices strings out of the text it parses, and V8 keeps
 * a slice of 13 characters or more as a view holding its whole source: one namespace name kept in the
 * inventory would keep the text of its cluster's whole file.
 */
export function ownStrings(value: unknown): unknown {
  if (typeof value === 'string') return own(value);
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
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

/**
 * Where `doc` has its first mapping key that is a collection (or an alias of one), which no JSON
 * document, and so neither kubectl nor the AWS CLI, can hold; undefined when it has none.
 */
export function collectionKeyAt(doc: import('yaml').Document.Parsed): number | undefined {
  const { visit, isAlias, isCollection } = yaml();
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!isCollection(key)) return undefined;
      at = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return at;
}

/**
 * The yaml parser's stack past which a document surely nests more than {@link MAX_NESTING_DEPTH} deep:
 * the stack holds about one token per level of nesting.
 */
export const MAX_PARSER_STACK = 4 * MAX_NESTING_DEPTH;

/** Thrown by {@link parseYamlDocuments} where the parser's stack outgrew {@link MAX_PARSER_STACK}. */
export class YamlTooDeep extends Error {
  constructor(readonly offset: number) {
    super(`nested more than ${MAX_NESTING_DEPTH} levels deep`);
  }
}

/**
 * The yaml package's `parseAllDocuments`, which stops with {@link YamlTooDeep} once the parser's stack
 * outgrows {@link MAX_PARSER_STACK}: the parser's tree of a deeply nested text costs about half a KiB
 * a level, so that two MB of `[` would otherwise take a GB before the yaml package gives up.
 */
export function parseYamlDocuments(text: string, options: import('yaml').ParseOptions & import('yaml').DocumentOptions & import('yaml').SchemaOptions): import('yaml').Document.Parsed[] | import('yaml').EmptyStream {
  const { Composer, Lexer, Parser } = yaml();
  const parser = new Parser();
  function* tokens() {
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length > MAX_PARSER_STACK) throw new YamlTooDeep(parser.offset);
    }
    yield* parser.end();
  }
  const composer = new Composer(options);
  const docs = Array.from(composer.compose(tokens()));
  return docs.length > 0 ? docs : Object.assign([], { empty: true as const }, composer.streamInfo());
}

/** The YAML parser's parts that read a kubectl List one entry at a time (loading the parser). */
export const yamlParser = (): { parseAllDocuments: typeof parseYamlDocuments; Lexer: typeof import('yaml').Lexer } => ({ parseAllDocuments: parseYamlDocuments, Lexer: yaml().Lexer });

/** A file's text, checked (size, UTF-8) and without its byte order mark; throws {@link InputError}. */
export function readEvidenceText(absPath: string, display: string): string {
  if (statSync(absPath).size > MAX_FILE_BYTES) throw new InputError(`file is larger than ${MAX_FILE_BYTES} bytes`, display);
  const bytes = readFileSync(absPath);
  if (bytes.length > MAX_FILE_BYTES) throw new InputError(`file is larger than ${MAX_FILE_BYTES} bytes`, display);
  if (!isUtf8(bytes)) throw new InputError('file is not valid UTF-8', display);
  const start = BOM.every((b, i) => bytes[i] === b) ? BOM.length : 0;
  return bytes.toString('utf8', start);
}

interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly parent?: Frame;
  readonly key?: string | number;
}

/** The path to the first value nested `max` deep; only called once such a value is known to exist. */
function pathTooDeep(root: unknown, max: number): string {
  const stack: Frame[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, depth } = frame;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= max) {
      const keys: (string | number)[] = [];
      for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
      return `$${keys.reverse().map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (typeof value[i] === 'object' && value[i] !== null) stack.push({ value: value[i], depth: depth + 1, parent: frame, key: i });
    } else {
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        if (typeof v === 'object' && v !== null) stack.push({ value: v, depth: depth + 1, parent: frame, key });
      }
    }
  }
  return '$';
}

/** The path of the first value nested deeper than {@link MAX_NESTING_DEPTH}, found without recursion. */
export function tooDeep(root: unknown, max = MAX_NESTING_DEPTH): string | undefined {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= max) return pathTooDeep(root, max);
    if (Array.isArray(value)) {
      for (const v of value) {
        if (typeof v !== 'object' || v === null) continue;
        values.push(v);
        depths.push(depth + 1);
      }
    } else {
      for (const key in value) {
        const v = (value as Record<string, unknown>)[key];
        if (typeof v !== 'object' || v === null) continue;
        values.push(v);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

/** Throws when `doc`, document `index` of `count` in a file, nests deeper than {@link MAX_NESTING_DEPTH}. */
export function refuseTooDeep(doc: unknown, display: string, index: number, count: number): void {
  const path = tooDeep(doc);
  if (path === undefined) return;
  const shown = path.length > 80 ? `${path.slice(0, 77)}...` : path;
  throw new InputError(`${count > 1 ? `document ${index + 1}: ` : ''}nested more than ${MAX_NESTING_DEPTH} levels deep (at ${shown})`, display);
}

const isStackOverflow = (e: unknown) => e instanceof RangeError && /call stack/i.test(e.message);

function parseJson(text: string, display: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (e) {
    if (isStackOverflow(e)) throw new InputError(`nested more than ${MAX_NESTING_DEPTH} levels deep`, display);
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    throw new InputError(`malformed JSON: ${reason}`, display, locate(text, offset));
  }
}

function parseYaml(text: string, display: string): unknown[] {
  let docs;
  try {
    docs = parseYamlDocuments(text, { prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    if (e instanceof YamlTooDeep) throw new InputError(`malformed YAML: ${e.message}`, display, locate(text, e.offset));
    if (isStackOverflow(e)) throw new InputError(`nested more than ${MAX_NESTING_DEPTH} levels deep`, display);
    throw e;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const offset = error.pos?.[0];
      const location = pos ? { line: pos.line, column: pos.col } : typeof offset === 'number' ? locate(text, offset) : undefined;
      const first = error.message.split('\n')[0] ?? 'parse error';
      // the yaml library reports its own stack overflow on deep nesting as a parse error
      const reason = /call stack/i.test(first) ? `nested more than ${MAX_NESTING_DEPTH} levels deep` : first;
      throw new InputError(`malformed YAML: ${reason.replace(/ at line \d+, column \d+.*$/, '')}`, display, location);
    }
    let keyAt: number | undefined;
    try {
      keyAt = collectionKeyAt(doc);
      const value: unknown = keyAt === undefined ? ownStrings(doc.toJS({ maxAliasCount: 1000 })) : undefined;
      if (value !== null && value !== undefined) out.push(value);
    } catch (e) {
      if (isStackOverflow(e)) throw new InputError(`nested more than ${MAX_NESTING_DEPTH} levels deep`, display);
      throw new InputError(`malformed YAML: ${(e as Error).message.split('\n')[0]}`, display);
    }
    if (keyAt !== undefined) throw new InputError('unsupported YAML: a mapping key that is a collection (kubectl and the AWS CLI never write one)', display, locate(text, keyAt));
  }
  if (out.length === 0) throw new InputError('file holds no YAML documents (only comments, `---` or null)', display);
  return out;
}

/**
 * Reads one evidence file into its documents (one for JSON, one per `---` document for YAML); their
 * nesting is checked by the caller, with {@link refuseTooDeep}, once it knows what they are.
 */
export function parseEvidenceFile(absPath: string, display: string, format: EvidenceFormat): unknown[] {
  return parseEvidenceText(readEvidenceText(absPath, display), display, format);
}

/** {@link parseEvidenceFile} of a text already read with {@link readEvidenceText}. */
export function parseEvidenceText(text: string, display: string, format: EvidenceFormat): unknown[] {
  if (text.trim() === '') throw new InputError('file is empty', display);
  return format === 'json' ? parseJson(text, display) : parseYaml(text, display);
}
