import { constants, isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { InputError, locate, present } from '../../errors.js';
import { MAX_NESTING_DEPTH } from './limits.js';
import type { Document } from 'yaml';
import { ownStrings, yamlDocuments, YamlRefused } from './yaml-documents.js';

/** The largest evidence file the reader accepts: 512 MiB, or less where that is more than one string can hold. */
export const MAX_FILE_BYTES = Math.min(512 * 1024 * 1024, constants.MAX_STRING_LENGTH);

export { MAX_NESTING_DEPTH };

export type EvidenceFormat = 'json' | 'yaml';

export function formatOf(path: string): EvidenceFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json') || lower.endsWith('.tfstate')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

/** The UTF-8 byte order mark, which an evidence file may start with. */
export const BOM: readonly number[] = [0xef, 0xbb, 0xbf];

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
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { value, depth } = frame;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= max) {
      const keys: (string | number)[] = [];
      for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) keys.push(f.key);
      return `$${keys
        .reverse()
        .map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`))
        .join('')}`;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++)
        if (typeof value[i] === 'object' && value[i] !== null) stack.push({ value: value[i], depth: depth + 1, parent: frame, key: i });
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
    const depth = present(depths.pop(), 'the depth of a value');
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

/** The next document of `docs`, undefined after the last; the parser's failures as {@link InputError}. */
function nextDocument(docs: Generator<Document.Parsed>, text: string, display: string): Document.Parsed | undefined {
  try {
    const next = docs.next();
    return next.done ? undefined : next.value;
  } catch (e) {
    if (e instanceof YamlRefused) throw new InputError(`malformed YAML: ${e.message}`, display, locate(text, e.offset));
    if (isStackOverflow(e)) throw new InputError(`nested more than ${MAX_NESTING_DEPTH} levels deep`, display);
    throw e;
  }
}

function parseYaml(text: string, display: string): unknown[] {
  const docs = yamlDocuments(text);
  const out: unknown[] = [];
  for (let doc = nextDocument(docs, text, display); doc; doc = nextDocument(docs, text, display)) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const location = pos ? { line: pos.line, column: pos.col } : locate(text, error.pos[0]);
      const first = error.message.split('\n')[0] ?? 'parse error';
      // the yaml library reports its own stack overflow on deep nesting as a parse error
      const reason = /call stack/i.test(first) ? `nested more than ${MAX_NESTING_DEPTH} levels deep` : first;
      throw new InputError(`malformed YAML: ${reason.replace(/ at line \d+, column \d+.*$/, '')}`, display, location);
    }
    try {
      const value: unknown = ownStrings(doc.toJS({ maxAliasCount: 1000 }));
      if (value !== null && value !== undefined) out.push(value);
    } catch (e) {
      if (isStackOverflow(e)) throw new InputError(`nested more than ${MAX_NESTING_DEPTH} levels deep`, display);
      throw new InputError(`malformed YAML: ${(e as Error).message.split('\n')[0]}`, display);
    }
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
