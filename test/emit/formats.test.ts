import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPORT_WRITER_LOADERS } from '../../src/emit/report/formats.js';
import { REPORT_EMITTERS } from '../../src/emit/report/index.js';
import { reportSarifChunks } from '../../src/emit/report/sarif.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { PLAN_EMITTER_LOADERS } from '../../src/emit/plan/formats.js';
import { PLAN_EMITTERS } from '../../src/emit/plan/index.js';

it('loads, for each plan format, the emitter the library exports for it', async () => {
  expect(Object.keys(PLAN_EMITTER_LOADERS).sort()).toEqual(Object.keys(PLAN_EMITTERS).sort());
  for (const [format, load] of Object.entries(PLAN_EMITTER_LOADERS)) expect(await load(), format).toBe(PLAN_EMITTERS[format as keyof typeof PLAN_EMITTERS]);
});

it('loads, for each report format, a writer that renders what the library renders, SARIF as its own emitter does', async () => {
  const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
  const report = buildReport(inventory, plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' }));
  expect(Object.keys(REPORT_WRITER_LOADERS).sort()).toEqual([...Object.keys(REPORT_EMITTERS), 'sarif'].sort());
  for (const format of Object.keys(REPORT_EMITTERS) as (keyof typeof REPORT_EMITTERS)[]) {
    const write = await REPORT_WRITER_LOADERS[format]();
    expect([...write(report, 'fixtures/demo')].join(''), format).toBe(REPORT_EMITTERS[format](report));
  }
  const sarif = await REPORT_WRITER_LOADERS.sarif();
  expect([...sarif(report, 'fixtures/demo')].join('')).toBe([...reportSarifChunks(report, { bundle: 'fixtures/demo' })].join(''));
});
