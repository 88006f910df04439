import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitReportCsv } from '../../src/emit/report/csv.js';
import { emitReportMarkdown } from '../../src/emit/report/markdown.js';
import type { Inventory } from '../../src/model/inventory.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

/**
 * Golden files for the demo bundle. After an intended change, rewrite them with
 * `UPDATE_GOLDEN=1 npx vitest run test/report` and review the diff.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN = join(ROOT, 'test', 'fixtures', 'golden');
const AT = '2026-01-01T00:00:00.000Z';

function demoInventory(): Inventory {
  // Paths as the CLI prints them from the repository root; file times fixed (checkouts change them).
  const inventory = readEvidenceBundle(join(ROOT, 'fixtures', 'demo'));
  return {
    ...inventory,
    evidence: inventory.evidence.map((e) => ({ ...e, path: relative(ROOT, e.path).split('\\').join('/'), modifiedAt: AT })),
    ignored: inventory.ignored.map((p) => relative(ROOT, p).split('\\').join('/')),
  };
}

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${name} is missing; run UPDATE_GOLDEN=1 npx vitest run test/report`).toBe(true);
  expect(actual, `${name} differs from the golden file; run UPDATE_GOLDEN=1 npx vitest run test/report and review the diff`).toBe(readFileSync(file, 'utf8'));
}

describe('golden files for the demo bundle', () => {
  const inventory = demoInventory();
  const report = buildReport(inventory, plan(inventory, { generatedAt: AT }));

  it('demo-report.md', () => {
    golden('demo-report.md', emitReportMarkdown(report));
  });
  it('demo-report.csv', () => {
    golden('demo-report.csv', emitReportCsv(report));
  });
});
