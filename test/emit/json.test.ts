import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitJson } from '../../src/emit/plan/json.js';
import { jsonChunks } from '../../src/emit/json-chunks.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('JSON plan output in pieces', () => {
  it('joins to exactly JSON.stringify(value, null, 2) and a newline, for any JSON object', () => {
    const member = fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue()), fc.constant(undefined), fc.array(fc.option(fc.jsonValue(), { nil: undefined })));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), member), (value) => {
        expect([...jsonChunks(value)].join('')).toBe(`${JSON.stringify(value, null, 2)}\n`);
      }),
      { numRuns: 500 },
    );
  });

  it('applies toJSON like JSON.stringify: with the key, at the top, on members and on elements, dropping or nulling undefined', () => {
    const keyed = { toJSON: (key: string) => `key:${key}` };
    const gone = { toJSON: () => undefined };
    const cases: unknown[] = [
      { a: keyed, b: [keyed, gone, 1], c: gone, d: { e: keyed } },
      { toJSON: () => ({ wrapped: [1, 2], also: keyed }) },
      { toJSON: () => [1, 2] },
      { toJSON: () => 'text' },
      { list: { toJSON: () => [keyed, gone] } },
    ];
    for (const value of cases) expect([...jsonChunks(value)].join('')).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('streams the demo plan in one piece per association, role, finding and step', () => {
    const p = plan(readEvidenceBundle(join(ROOT, 'fixtures', 'demo')), { generatedAt: 'x' });
    const rendered = emitJson(p, {});
    if (rendered.kind !== 'text') throw new Error('expected text');
    const chunks = [...rendered.chunks!()];
    expect(chunks.join('')).toBe(`${JSON.stringify(p, null, 2)}\n`);
    expect(rendered.text).toBe(chunks.join(''));
    expect(chunks.length).toBeGreaterThan(p.associations.length + p.roles.length + p.findings.length + p.steps.length);
  });

  it('the CLI writes the same bytes to stdout and to --out', () => {
    const env = { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' };
    const out = join(mkdtempSync(join(tmpdir(), 'irsa2pi-json-')), 'plan.json');
    const bin = join(ROOT, 'bin', 'irsa2pi.js');
    const toStdout = spawnSync(process.execPath, [bin, 'plan', '--evidence', 'fixtures/demo', '--format', 'json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env,
      maxBuffer: 64 << 20,
    });
    const toFile = spawnSync(process.execPath, [bin, 'plan', '--evidence', 'fixtures/demo', '--format', 'json', '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
      env,
    });
    expect([toStdout.status, toFile.status]).toEqual([0, 0]);
    const p = plan(readEvidenceBundle(join(ROOT, 'fixtures', 'demo')), { generatedAt: '2026-01-01T00:00:00.000Z' });
    expect(toStdout.stdout).toBe(`${JSON.stringify(p, null, 2)}\n`);
    expect(readFileSync(out, 'utf8')).toBe(toStdout.stdout);
  });
});
