import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderOf, imports, RANK, sourceFiles, SRC } from '../helpers/import-graph.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every import (static, type-only, re-export or dynamic) between two folders of `src/`, as `from -> to`. */
function importGraph(): Set<string> {
  const edges = new Set<string>();
  for (const e of imports()) {
    const from = folderOf(e.from);
    const to = folderOf(e.to);
    if (from && to && to !== from) edges.add(`${from} -> ${to}`);
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
    expect(upward.filter((e) => !dashed.has(e))).toEqual([]);
    expect([...dashed].filter((e) => !upward.includes(e))).toEqual([]);
  });

  it('knows the rank of every folder of src/', () => {
    const folders = new Set(sourceFiles(SRC).map((f) => folderOf(relative(SRC, f))).filter((f) => f !== undefined));
    expect([...folders].filter((f) => !(f in RANK))).toEqual([]);
  });
});
