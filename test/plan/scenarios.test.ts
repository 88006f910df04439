import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { podIdentityAdmits, type IdentitySpec } from '../helpers/admission.js';

interface Expectation {
  description: string;
  associations: {
    cluster: string;
    namespace: string;
    serviceAccount: string;
    status: string;
    via?: string;
    targetRoleArn?: string | null;
    reasons?: string[];
  }[];
  findings: string[];
  absentFindings: string[];
  admitted: IdentitySpec[];
  notAdmitted: IdentitySpec[];
}

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const scenarios = readdirSync(FIXTURES).filter((name) => existsSync(join(FIXTURES, name, 'expect.json')));

describe.each(scenarios)('scenario %s', (name) => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expect.json'), 'utf8')) as Expectation;
  const inventory = readEvidenceBundle(join(FIXTURES, name));
  const result = plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' });

  it('decides every identity as expected', () => {
    for (const want of expected.associations) {
      const got = result.associations.find((a) => a.cluster === want.cluster && a.namespace === want.namespace && a.serviceAccount === want.serviceAccount);
      expect(got, `${want.cluster}/${want.namespace}/${want.serviceAccount}`).toBeDefined();
      expect(got!.status, `${want.namespace}/${want.serviceAccount} status`).toBe(want.status);
      if (want.via) expect(got!.via).toBe(want.via);
      if (want.targetRoleArn !== undefined) expect(got!.targetRoleArn).toBe(want.targetRoleArn);
      for (const reason of want.reasons ?? []) expect(got!.reasons).toContain(reason);
    }
  });

  it('raises the expected findings and no others of the catalogue', () => {
    const rules = new Set(result.findings.map((f) => f.rule));
    for (const rule of expected.findings) expect(rules, `finding ${rule}`).toContain(rule);
    for (const rule of expected.absentFindings) expect(rules, `finding ${rule}`).not.toContain(rule);
  });

  it('plans no trust larger than IAM holds by default (2,048 characters) unless the role already has one', () => {
    for (const r of result.roles) expect(Math.max(r.trustSize.transition, r.trustSize.final), r.arn).toBeLessThanOrEqual(Math.max(2048, r.trustSize.current));
  });

  it('proves every rewrite equivalent', () => {
    expect(result.roles.filter((r) => !r.equivalent).map((r) => [r.arn, r.equivalence.differences])).toEqual([]);
  });

  it('admits the migrated identities through Pod Identity and denies their neighbours', () => {
    for (const spec of expected.admitted) expect(podIdentityAdmits(result, inventory, spec), `admits ${JSON.stringify(spec)}`).toBe(true);
    for (const spec of expected.notAdmitted) expect(podIdentityAdmits(result, inventory, spec), `denies ${JSON.stringify(spec)}`).toBe(false);
    for (const spec of expected.notAdmitted) expect(podIdentityAdmits(result, inventory, spec, 'final'), `final denies ${JSON.stringify(spec)}`).toBe(false);
  });
});
