/**
 * The marker irsa2pi leaves in every directory it writes (`--out` of terraform, script and collect):
 * what kind of output it is and the digest of each file written, so that a later run replaces only a
 * directory exactly as irsa2pi left it.
 * @module
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { compareText } from '../order.js';
import type { EmittedFile } from '../output-file.js';
import { errnoOf, outputError } from './output-errors.js';

/** The marker's file name, at the top of the directory (a dot file: the evidence reader skips it). */
export const MARKER = '.irsa2pi-output.json';

/** The marker's content. */
export interface Marker {
  /** Always `"irsa2pi-output"`. */
  readonly format: 'irsa2pi-output';
  /** What the directory holds: `terraform`, `script`, `evidence`, … */
  readonly kind: string;
  /** Each file written, by path relative to the directory (`/`-separated): its SHA-256, hex. */
  readonly files: Readonly<Record<string, string>>;
}

const sha256 = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/** The marker of a directory holding `files`. */
export function markerFor(kind: string, files: readonly EmittedFile[]): EmittedFile {
  const entries = files.map((f) => [f.path, sha256(f.content)] as const).sort(([a], [b]) => compareText(a, b));
  const marker: Marker = { format: 'irsa2pi-output', kind, files: Object.fromEntries(entries) };
  return { path: MARKER, content: `${JSON.stringify(marker, null, 2)}\n`, mode: 0o644 };
}

function readMarker(dir: string): Marker | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, MARKER), 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw outputError(e, join(dir, MARKER), 'cannot read');
  }
  try {
    const m = JSON.parse(text) as { readonly [K in keyof Marker]?: unknown };
    const files = m.files;
    if (m.format !== 'irsa2pi-output' || typeof m.kind !== 'string' || typeof files !== 'object' || files === null || Array.isArray(files)) return undefined;
    if (!Object.values(files).every((h) => typeof h === 'string')) return undefined;
    return m as Marker;
  } catch {
    return undefined;
  }
}

/** The largest file `readFileSync` reads whole (2 GiB less a byte); irsa2pi writes none as large. */
const MAX_HASHED_BYTES = 2 ** 31 - 1;

/** The SHA-256 of the file at `path`; undefined for one larger than irsa2pi ever writes. */
const digestOf = (path: string): string | undefined => (statSync(path).size > MAX_HASHED_BYTES ? undefined : sha256(readFileSync(path)));

/** Paths under `dir` that are not files of `marker` as written: extra, changed, links, devices. */
function foreignEntries(dir: string, marker: Marker): string[] {
  const foreign: string[] = [];
  const visit = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      if (foreign.length >= 3) return;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (path === MARKER) continue;
      if (entry.isDirectory()) visit(path);
      else if (!entry.isFile() || !Object.hasOwn(marker.files, path) || digestOf(join(dir, path)) !== marker.files[path]) foreign.push(path);
    }
  };
  visit('');
  return foreign;
}

/**
 * Throws unless the existing directory `dir` may be replaced by output of `kind`: it is empty, or
 * irsa2pi wrote it (its marker says so), for the same kind of output, and it holds nothing else and
 * nothing changed since (in particular no `state/` or `backup/` of the scripts, and no Terraform state).
 * `shown` is the path as the user gave it.
 */
export function refuseUnlessReplaceable(dir: string, kind: string, shown: string): void {
  try {
    const entries = readdirSync(dir);
    if (entries.length === 0) return;
    const marker = readMarker(dir);
    if (!marker) {
      const some = entries.sort(compareText).slice(0, 3).join(', ');
      throw new InputError(
        `--out is a directory irsa2pi did not write (it holds ${some}${entries.length > 3 ? ', …' : ''}); give a new or empty directory`,
        shown,
      );
    }
    if (marker.kind !== kind) throw new InputError(`--out holds ${marker.kind} output of irsa2pi, not ${kind}; give another directory`, shown);
    const foreign = foreignEntries(dir, marker);
    if (foreign.length > 0) {
      throw new InputError(
        `--out holds ${foreign.join(', ')}, which irsa2pi did not write or which changed since; nothing was replaced: move ${foreign.length > 1 ? 'them' : 'it'} out (rollback state: set STATE_DIR outside the output) or give another directory`,
        shown,
      );
    }
  } catch (e) {
    throw outputError(e, shown, 'cannot read the directory');
  }
}
