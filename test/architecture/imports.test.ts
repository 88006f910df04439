import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderOf, imports, RANK, sourceFiles, SRC, type Edge } from '../helpers/import-graph.js';

/** Imports between folders of one rank that the pipeline allows: the report runs the audit. */
const SIDEWAYS = new Set(['report -> rules', 'model -> iam', 'sources/live -> sources/evidence']);

/** The plan's contract: its result types, which the audit, the report and the emitters may name. */
const PLAN_CONTRACT = 'plan/model.ts';

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

  it('points down the pipeline, with no exception', () => {
    expect(upwardImports(edges)).toEqual([]);
  });

  it('keeps the emitters to the CLI: nothing below it imports emit/', () => {
    expect(edges.filter((e) => folderOf(e.to) === 'emit' && !['emit', 'cli', undefined].includes(folderOf(e.from)))).toEqual([]);
  });

  it('knows the rank of every folder', () => {
    const folders = new Set(
      sourceFiles(SRC)
        .map((f) => folderOf(relative(SRC, f)))
        .filter((f) => f !== undefined),
    );
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

describe('the emitters', () => {
  it('render with one template engine: one module makes a Handlebars runtime and reads the precompiled templates', () => {
    const files = sourceFiles(SRC).map((f) => relative(SRC, f));
    const making = files.filter((f) => /\bcreateHandlebarsRuntime\(/.test(readFileSync(join(SRC, f), 'utf8')) && f !== 'emit/handlebars-runtime.ts');
    const reading = imports()
      .filter((e) => e.to === 'emit/precompiled-templates.ts')
      .map((e) => e.from);
    expect({ making, reading }).toEqual({ making: ['emit/templates.ts'], reading: ['emit/templates.ts'] });
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
    const files = sourceFiles(SRC)
      .map((f) => relative(SRC, f))
      .filter((f) => CORE.includes(folderOf(f) ?? ''));
    expect(files.flatMap(moduleState).sort()).toEqual([...PURE_MEMOS].sort());
  });

  it('sees module-level state where it is', () => {
    expect(moduleState('iam/evaluate.ts')).toEqual(expect.arrayContaining(PURE_MEMOS));
  });
});
