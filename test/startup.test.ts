import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', 'dist');
const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/gm;

/** Every module `irsa2pi --version` loads: the static import graph of the CLI entry point. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (spec!.startsWith('.')) visit(resolve(dirname(file), spec!));
      else packages.add(spec!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('CLI start-up', () => {
  it('loads neither the AWS SDK nor the Kubernetes client for --version and --help', () => {
    const { packages } = staticGraph(join(DIST, 'cli', 'main.js'));
    expect([...packages].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@kubernetes/') || p.startsWith('@smithy/'))).toEqual([]);
    expect(packages).toContain('commander');
  });
});
