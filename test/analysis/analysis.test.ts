import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, isAnalysis } from '../../src/analysis/index.js';
import type { Inventory } from '../../src/model/inventory.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { audit } from '../../src/rules/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const bundle = (name: string) => readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', name));

describe('one analysis', () => {
  it('gives the plan, the audit and the report what they give from the inventory itself', () => {
    const inventory = bundle('demo');
    const analysis = analyze(inventory);
    const p = plan(analysis, { generatedAt: 'x' });
    expect(p).toEqual(plan(inventory, { generatedAt: 'x' }));
    expect(audit(analysis, p)).toEqual(audit(inventory, p));
    expect(buildReport(analysis, p)).toEqual(buildReport(inventory, p));
  });

  it('is its own per inventory: two analyses share no tables or oracle, and two clusters in two bundles stay apart', () => {
    const demo = analyze(bundle('demo'));
    const again = analyze(bundle('demo'));
    expect(again.oracle).not.toBe(demo.oracle);
    expect(again.indexes).not.toBe(demo.indexes);
    const twoClusters = bundle('shared-role-two-clusters');
    const alone = plan(twoClusters, { generatedAt: 'x' });
    plan(demo, { generatedAt: 'x' });
    expect(plan(twoClusters, { generatedAt: 'x' })).toEqual(alone);
  });

  it('is told from an inventory by its brand, not by field names an inventory could carry', () => {
    const inventory = bundle('basic');
    const lookalike = { ...inventory, oracle: {}, indexes: {} } as unknown as Inventory;
    expect(isAnalysis(lookalike)).toBe(false);
    expect(isAnalysis(analyze(inventory))).toBe(true);
    expect(plan(lookalike, { generatedAt: 'x' })).toEqual(plan(inventory, { generatedAt: 'x' }));
  });

  it('cannot be changed', () => {
    const analysis = analyze(bundle('basic'));
    expect(Object.isFrozen(analysis)).toBe(true);
  });
});
