import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { InputError, locate } from '../../errors.js';

/** The largest evidence file the reader accepts. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

export type EvidenceFormat = 'json' | 'yaml';

export function formatOf(path: string): EvidenceFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

function readText(absPath: string, display: string): string {
  const bytes = readFileSync(absPath);
  if (bytes.length > MAX_FILE_BYTES) throw new InputError(`file is larger than ${MAX_FILE_BYTES} bytes`, display);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError('file is not valid UTF-8', display);
  }
}

function parseJson(text: string, display: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch (e) {
    const message = (e as Error).message;
    const at = /position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : text.length;
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    throw new InputError(`malformed JSON: ${reason}`, display, locate(text, offset));
  }
}

function parseYaml(text: string, display: string): unknown[] {
  const docs = YAML.parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const reason = error.message.split('\n')[0] ?? 'parse error';
      throw new InputError(`malformed YAML: ${reason.replace(/ at line \d+, column \d+.*$/, '')}`, display, pos ? { line: pos.line, column: pos.col } : undefined);
    }
    try {
      const value: unknown = doc.toJS({ maxAliasCount: 1000 });
      if (value !== null && value !== undefined) out.push(value);
    } catch (e) {
      throw new InputError(`malformed YAML: ${(e as Error).message}`, display);
    }
  }
  return out;
}

/** Reads one evidence file into its documents (one for JSON, one per `---` document for YAML). */
export function parseEvidenceFile(absPath: string, display: string, format: EvidenceFormat): unknown[] {
  const text = readText(absPath, display);
  if (text.trim() === '') throw new InputError('file is empty', display);
  return format === 'json' ? parseJson(text, display) : parseYaml(text, display);
}
