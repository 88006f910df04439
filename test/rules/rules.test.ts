import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEVERITIES } from '../../src/findings/model.js';
import { PLANNING_RULES } from '../../src/findings/planning-rules.js';
import { plan } from '../../src/plan/plan.js';
import { grantsEverything } from '../../src/rules/admin.js';
import { audit, mergeFindings, RULE_CATALOGUE, RULES, type Rule } from '../../src/rules/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const RULE_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'rules');
const load = (id: string, kind: 'fires' | 'quiet') => readEvidenceBundle(join(RULE_FIXTURES, id, kind));

describe('the rule catalogue', () => {
  it('has unique kebab-case ids, known severities and full text, and does not redefine planner rules', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const planning = new Set(Object.values(PLANNING_RULES).map((r) => r.id));
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(SEVERITIES).toContain(r.severity);
      expect(r.title && r.explanation && r.fix, r.id).toBeTruthy();
      expect(planning.has(r.id), r.id).toBe(false);
    }
    for (const id of [...ids, ...planning, 'rule-error']) expect(RULE_CATALOGUE.get(id)?.id).toBe(id);
  });

  it('has a fires and a quiet fixture for every rule', () => {
    expect(readdirSync(RULE_FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

describe.each(RULES.map((r) => [r.id, r] as const))('rule %s', (id, rule) => {
  it('fires on its fixture', () => {
    const found = audit(load(id, 'fires')).filter((f) => f.rule === id);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f.severity).toBe(rule.severity);
  });

  it('stays quiet on a well-scoped bundle (no audit rule fires there)', () => {
    expect(audit(load(id, 'quiet')).map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
  });
});

describe('audit', () => {
  it('turns a rule that throws into an info finding rule-error and keeps the other rules', () => {
    const boom: Rule = {
      id: 'boom',
      severity: 'critical',
      title: 'Throws',
      explanation: 'x',
      fix: 'y',
      check() {
        throw new Error('kaboom');
      },
    };
    const inventory = load('irsa-trust-no-subject', 'fires');
    const findings = audit(inventory, undefined, { rules: [boom, ...RULES] });
    expect(findings).toContainEqual({ rule: 'rule-error', severity: 'info', message: 'could not evaluate boom: kaboom' });
    expect(findings.some((f) => f.rule === 'irsa-trust-no-subject')).toBe(true);
  });

  it("does not flag terraform-aws-modules' self-assume statement as a wildcard principal", () => {
    const inventory = load('trust-wildcard-principal', 'quiet');
    const trust = JSON.stringify(inventory.roles[0]!.trustPolicy);
    expect(trust).toContain('"AWS":"*"');
    expect(trust).toContain('aws:PrincipalArn');
    expect(audit(inventory).filter((f) => f.rule === 'trust-wildcard-principal')).toEqual([]);
  });

  it("merges the plan's findings, sorted and without duplicates", () => {
    const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
    const p = plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' });
    const findings = audit(inventory, p);
    for (const f of p.findings) expect(findings).toContainEqual(f);
    expect(findings.filter((f) => f.rule === 'sa-role-not-trusted').length).toBe(p.findings.filter((f) => f.rule === 'sa-role-not-trusted').length);
    expect(mergeFindings(findings, findings)).toEqual(findings);
    const keys = findings.map((f) => JSON.stringify(f));
    expect(new Set(keys).size).toBe(keys.length);
    expect(SEVERITIES.indexOf(findings[0]!.severity)).toBeLessThanOrEqual(SEVERITIES.indexOf(findings[findings.length - 1]!.severity));
  });

  it('recognises `*` on `*` in a permissions policy, and nothing narrower', () => {
    expect(grantsEverything({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })).toBe(true);
    expect(grantsEverything({ Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', '*:*'], Resource: ['*'] }] })).toBe(true);
    expect(grantsEverything({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })).toBe(false);
    expect(grantsEverything({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] })).toBe(false);
    expect(grantsEverything({ Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/*' }] })).toBe(false);
  });
});

describe("the rules' look-ups", () => {
  it('share the analysis the plan was made from, and build their own from an inventory', async () => {
    const { RuleContext } = await import('../../src/rules/context.js');
    const { analyze } = await import('../../src/analysis/index.js');
    const demo = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
    const analysis = analyze(demo);
    plan(analysis, { generatedAt: 'x' });
    const shared = new RuleContext(analysis);
    expect(shared.oracle).toBe(analysis.oracle);
    expect(shared.indexes).toBe(analysis.indexes);
    const fresh = new RuleContext(demo);
    expect(fresh.oracle).not.toBe(analysis.oracle);
    expect(fresh.indexes).not.toBe(analysis.indexes);
    expect(new RuleContext(demo).indexes).not.toBe(fresh.indexes);
  });

  it('find the same on an inventory as on the analysis a plan was made from', async () => {
    const { analyze } = await import('../../src/analysis/index.js');
    const demo = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
    const analysis = analyze(demo);
    const viaAnalysis = plan(analysis, { generatedAt: 'x' });
    const viaInventory = plan(demo, { generatedAt: 'x' });
    expect(viaAnalysis).toEqual(viaInventory);
    expect(audit(analysis, viaAnalysis)).toEqual(audit(demo, viaInventory));
  });
});
