import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/**
 * What each folder builds on, lowest first: the model, IAM and findings types under everything, the
 * sources that fill the model, the analysis of an inventory, the decisions, the emitters, the CLI. An
 * import from a folder to one of a higher rank points up.
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

/** The folder of a module of `src/`, or undefined for the modules at its root (shared leaves and the library entry). */
function folderOf(file: string): string | undefined {
  const parts = relative(SRC, file).split('/');
  if (parts.length === 1) return undefined;
  return parts[0] === 'sources' ? `sources/${parts[1]}` : parts[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every import (static, type-only, re-export or dynamic) between two folders of `src/`, as `from -> to`. */
function importGraph(): Set<string> {
  const edges = new Set<string>();
  const pattern = /\b(?:import|export)\s[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
      const to = folderOf(resolve(dirname(file), m[1] ?? m[2]!));
      if (to && to !== from) edges.add(`${from} -> ${to}`);
    }
  }
  return edges;
}

/** The edges of the Mermaid diagram of docs/architecture.md, by folder, with whether each is dashed. */
function diagram(): { edges: Set<string>; dashed: Set<string> } {
  const text = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const block = /```mermaid\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
  const folders = new Map([...block.matchAll(/^\s*(\w+)\["([^"]+)\/"\]/gm)].map((m) => [m[1]!, m[2]!]));
  const edges = new Set<string>();
  const dashed = new Set<string>();
  for (const m of block.matchAll(/^\s*(\w+)\s*(-->|-\.->)(?:\|"[^"]*"\|)?\s*(\w+)\s*$/gm)) {
    const edge = `${folders.get(m[1]!) ?? m[1]} -> ${folders.get(m[3]!) ?? m[3]}`;
    edges.add(edge);
    if (m[2] === '-.->') dashed.add(edge);
  }
  return { edges, dashed };
}

describe('docs/architecture.md', () => {
  it('draws exactly the import graph of src/', () => {
    const actual = importGraph();
    const drawn = diagram().edges;
    expect({ missing: [...actual].filter((e) => !drawn.has(e)).sort(), extra: [...drawn].filter((e) => !actual.has(e)).sort() }).toEqual({ missing: [], extra: [] });
  });

  it('draws every import that points up the pipeline as debt (dashed)', () => {
    const { dashed } = diagram();
    const upward = [...importGraph()].filter((e) => {
      const [from, to] = e.split(' -> ') as [string, string];
      return RANK[from]! < RANK[to]!;
    });
    expect(upward.length).toBeGreaterThan(0);
    expect(upward.filter((e) => !dashed.has(e))).toEqual([]);
  });

  it('knows the rank of every folder of src/', () => {
    const folders = new Set(sourceFiles(SRC).map(folderOf).filter((f) => f !== undefined));
    expect([...folders].filter((f) => !(f in RANK))).toEqual([]);
  });
});
