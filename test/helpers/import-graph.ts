/**
 * The import graph of `src/` as the architecture tests read it: every import between its modules, and
 * the rank of each folder in the pipeline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const SRC = join(import.meta.dirname, '..', '..', 'src');

/**
 * What each folder builds on, lowest first: the model, IAM and findings types under everything, the
 * sources that fill the model, the analysis of an inventory, the decisions, the emitters, the CLI. An
 * import from a folder to one of a higher rank points up.
 */
export const RANK: Readonly<Record<string, number>> = {
  model: 0,
  iam: 0,
  findings: 0,
  'sources/evidence': 1,
  'sources/live': 1,
  analysis: 2,
  plan: 3,
  rules: 3,
  report: 3,
  emit: 4,
  cli: 5,
};

/** One import between two modules of `src/`, their paths relative to it. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

/** Every `.ts` file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The folder of a module of `src/` (a path relative to it), or undefined for the modules at its root (shared leaves and the library entry). */
export function folderOf(module: string): string | undefined {
  const parts = module.split('/');
  if (parts.length === 1) return undefined;
  return parts[0] === 'sources' ? `sources/${parts[1]}` : parts[0];
}

/** Every import (static, type-only, re-export or dynamic) between modules of `src/`. */
export function imports(): Edge[] {
  const pattern = /\b(import|export)\s+(type\s+)?([^'";]*?)\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => {
      const target = resolve(dirname(file), (m[4] ?? m[5]!).replace(/\.js$/, '.ts'));
      const names = /^\{([^}]*)\}\s*$/.exec((m[3] ?? '').trim())?.[1];
      const allTypes =
        names !== undefined &&
        names
          .split(',')
          .filter((n) => n.trim())
          .every((n) => /^\s*type\s/.test(n));
      return { from: relative(SRC, file), to: relative(SRC, target), typeOnly: m[2] !== undefined || allTypes };
    }),
  );
}
