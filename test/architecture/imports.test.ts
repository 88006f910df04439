import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/**
 * The pipeline, lowest first: sources → model / iam → analysis → plan / rules / report → emit → cli.
 * A module may import from its own folder and from folders of a lower rank; the sources fill the model
 * and stand beside the analysis, which neither imports.
 */
const RANK: Record<string, number> = {
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

/** Imports between folders of one rank that the pipeline allows: the report runs the audit. */
const SIDEWAYS = new Set(['report -> rules', 'model -> iam', 'sources/live -> sources/evidence']);

/** The plan's contract: its result types, which the audit, the report and the emitters may name. */
const PLAN_CONTRACT = 'plan/model.ts';

/**
 * Imports that point up today, each a known debt of docs/architecture.md (whose diagram test keeps that
 * list exact). A new upward import fails this test; one of these may go away.
 */
const KNOWN_UPWARD = [
  'sources/live/collect.ts -> emit/types.ts',
  'report/index.ts -> emit/csv.ts',
  'report/index.ts -> emit/json.ts',
  'report/index.ts -> emit/markdown-report.ts',
];

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The folder of a module of `src/`, or undefined for the modules at its root (shared leaves and the library entry). */
function folderOf(module: string): string | undefined {
  const parts = module.split('/');
  if (parts.length === 1) return undefined;
  return parts[0] === 'sources' ? `sources/${parts[1]}` : parts[0];
}

/** Every import (static, type-only, re-export or dynamic) between modules of `src/`, paths relative to it. */
function imports(): Edge[] {
  const pattern = /\b(import|export)\s+(type\s+)?([^'";]*?)\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => {
      const target = resolve(dirname(file), (m[4] ?? m[5]!).replace(/\.js$/, '.ts'));
      const names = /^\{([^}]*)\}\s*$/.exec((m[3] ?? '').trim())?.[1];
      const allTypes = names !== undefined && names.split(',').filter((n) => n.trim()).every((n) => /^\s*type\s/.test(n));
      return { from: relative(SRC, file), to: relative(SRC, target), typeOnly: m[2] !== undefined || allTypes };
    }),
  );
}

/** Why an import points up the pipeline, or undefined when it does not. */
function upward(edge: Edge): string | undefined {
  const from = folderOf(edge.from);
  const to = folderOf(edge.to);
  if (!from || !to || from === to) return undefined;
  if (RANK[from]! > RANK[to]!) return undefined;
  if (RANK[from]! < RANK[to]!) return `${from} is below ${to}`;
  if (SIDEWAYS.has(`${from} -> ${to}`)) return undefined;
  if (to === 'plan' && edge.to === PLAN_CONTRACT && edge.typeOnly) return undefined;
  return `${from} and ${to} stand side by side${to === 'plan' ? `; only types of ${PLAN_CONTRACT} may be named` : ''}`;
}

function upwardImports(edges: readonly Edge[]): string[] {
  return [...new Set(edges.filter((e) => upward(e)).map((e) => `${e.from} -> ${e.to}`))].sort();
}

describe('the import graph of src/', () => {
  const edges = imports();

  it('points down the pipeline, but for the named debts', () => {
    expect(upwardImports(edges).filter((e) => !KNOWN_UPWARD.includes(e))).toEqual([]);
  });

  it('knows the rank of every folder', () => {
    const folders = new Set(sourceFiles(SRC).map((f) => folderOf(relative(SRC, f))).filter((f) => f !== undefined));
    expect([...folders].filter((f) => !(f in RANK))).toEqual([]);
  });

  it('reads the imports it judges', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'rules/index.ts', to: PLAN_CONTRACT, typeOnly: true });
    expect(edges).toContainEqual({ from: 'plan/plan.ts', to: 'analysis/index.ts', typeOnly: false });
  });

  it('refuses an import up the pipeline, a value import of the plan contract, and plan internals beside it', () => {
    expect(upward({ from: 'iam/evaluate.ts', to: 'analysis/oracle.ts', typeOnly: true })).toMatch(/below/);
    expect(upward({ from: 'analysis/oracle.ts', to: 'plan/roles.ts', typeOnly: false })).toMatch(/below/);
    expect(upward({ from: 'plan/plan.ts', to: 'emit/json.ts', typeOnly: true })).toMatch(/below/);
    expect(upward({ from: 'rules/context.ts', to: 'plan/identities.ts', typeOnly: true })).toMatch(/only types/);
    expect(upward({ from: 'report/build.ts', to: PLAN_CONTRACT, typeOnly: false })).toMatch(/only types/);
    expect(upward({ from: 'plan/plan.ts', to: 'rules/index.ts', typeOnly: false })).toMatch(/side by side/);
    expect(upward({ from: 'report/build.ts', to: PLAN_CONTRACT, typeOnly: true })).toBeUndefined();
    expect(upward({ from: 'cli/main.ts', to: 'emit/json.ts', typeOnly: false })).toBeUndefined();
  });
});

/** Module-level caches the analysis core keeps on purpose: memoization keyed weakly on immutable normalized objects. */
const PURE_MEMOS = ['iam/evaluate.ts: clauseFacts', 'iam/evaluate.ts: actionGlobs'];

/** The folders of the analysis core: what the planner, the audit and the report decide with. */
const CORE = ['model', 'iam', 'analysis', 'plan'];

/** Module-level `let`s and collections created empty (so filled later): state that outlives one analysis. */
function moduleState(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const found = [...text.matchAll(/^(?:export\s+)?let\s+(\w+)/gm)].map((m) => m[1]!);
  found.push(...[...text.matchAll(/^(?:export\s+)?const\s+(\w+)(?:\s*:[^=]+)?\s*=\s*new\s+(?:Weak)?(?:Map|Set)\s*(?:<[^>]*>)?\(\s*\)/gm)].map((m) => m[1]!));
  return found.map((name) => `${file}: ${name}`);
}

describe('the analysis core', () => {
  it('keeps no module-level mutable state but the named pure memos', () => {
    const files = sourceFiles(SRC).map((f) => relative(SRC, f)).filter((f) => CORE.includes(folderOf(f) ?? ''));
    expect(files.flatMap(moduleState).sort()).toEqual([...PURE_MEMOS].sort());
  });

  it('sees module-level state where it is', () => {
    expect(moduleState('iam/evaluate.ts')).toEqual(expect.arrayContaining(PURE_MEMOS));
  });
});
