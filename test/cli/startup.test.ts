import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', '..', 'dist');
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

  it('plan --format json loads neither the templates nor the Handlebars runtime', () => {
    const out = mkdtempSync(join(tmpdir(), 'irsa2pi-json-only-'));
    const script = `
      const { main } = await import(${JSON.stringify(join(DIST, 'cli', 'main.js'))});
      const { writeSync } = await import('node:fs');
      process.stdout.write = (_chunk, encoding, done) => { (typeof encoding === 'function' ? encoding : done)?.(); return true; };
      const code = await main(['plan', '--evidence', ${JSON.stringify(join(import.meta.dirname, '..', '..', 'fixtures', 'basic'))}, '--format', 'json']);
      const { createRequire } = await import('node:module');
      const handlebars = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/handlebars/'));
      writeSync(2, JSON.stringify({ code, handlebars }));`;
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: out });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stderr.slice(r.stderr.lastIndexOf('{"code"')))).toEqual({ code: 0, handlebars: [] });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('loads the YAML parser only when the bundle holds a YAML file', () => {
    const jsonOnly = join(mkdtempSync(join(tmpdir(), 'irsa2pi-json-only-')), 'bundle');
    cpSync(join(import.meta.dirname, '..', '..', 'fixtures', 'basic'), jsonOnly, { recursive: true });
    rmSync(join(jsonOnly, 'kubernetes'), { recursive: true });
    const yamlLoaded = (dir: string) => {
      const script = `const { readEvidenceBundle } = await import(${JSON.stringify(join(DIST, 'sources', 'evidence', 'read-bundle.js'))}); readEvidenceBundle(${JSON.stringify(dir)}); const { createRequire } = await import('node:module'); console.log(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/yaml/')));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim();
    };
    expect(yamlLoaded(jsonOnly)).toBe('false');
    expect(yamlLoaded(join(import.meta.dirname, '..', '..', 'fixtures', 'basic'))).toBe('true');
  });

  it('renders reports, scripts and Terraform with the Handlebars runtime alone, never its template compiler', () => {
    const out = mkdtempSync(join(tmpdir(), 'irsa2pi-runtime-only-'));
    const script = `
      const dist = ${JSON.stringify(DIST)};
      const { readEvidenceBundle } = await import(dist + '/sources/evidence/read-bundle.js');
      const { plan } = await import(dist + '/plan/plan.js');
      const { buildReport } = await import(dist + '/report/index.js');
      const { REPORT_CHUNKS } = await import(dist + '/emit/report/index.js');
      const { PLAN_EMITTERS } = await import(dist + '/emit/plan/index.js');
      const inventory = readEvidenceBundle(${JSON.stringify(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'))});
      const result = plan(inventory, {});
      const sizes = [[...REPORT_CHUNKS.markdown(buildReport(inventory, result))].join('').length];
      for (const format of ['markdown', 'terraform', 'script']) {
        const r = PLAN_EMITTERS[format](result, { color: false });
        sizes.push(r.kind === 'files' ? r.files.length : r.text.length);
      }
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/handlebars/'));
      console.log(JSON.stringify({ sizes, loaded }));`;
    try {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: out });
      expect(r.status, r.stderr).toBe(0);
      const { sizes, loaded } = JSON.parse(r.stdout) as { sizes: number[]; loaded: string[] };
      expect(sizes.every((n) => n > 0)).toBe(true);
      expect(loaded.some((k) => k.endsWith('/handlebars.runtime.js'))).toBe(true);
      expect(loaded.filter((k) => k.includes('/compiler/') || k.endsWith('/handlebars.js') || k.endsWith('/lib/index.js'))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
