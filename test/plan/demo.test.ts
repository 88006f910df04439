import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLANNING_RULES } from '../../src/findings/planning-rules.js';
import { ASSOCIATION_STATUSES } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { podIdentityAdmits } from '../helpers/admission.js';

const inventory = readEvidenceBundle(join(import.meta.dirname, '..', '..', 'fixtures', 'demo'));
const result = plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' });

describe('the demo bundle', () => {
  it('has at least one identity of every status', () => {
    for (const status of ASSOCIATION_STATUSES)
      expect(
        result.associations.some((a) => a.status === status),
        status,
      ).toBe(true);
  });

  it('raises every planning finding except the ones that mean a bug, a gap in evidence, a role squatting a planned name, or need owner evidence (fixtures/owners/estate raises those) or add-on configurations (test/plan/addon-support.test.ts)', () => {
    const rules = new Set(result.findings.map((f) => f.rule));
    const notExpected = new Set([
      'rewrite-not-equivalent',
      'cluster-not-scanned',
      'role-not-scanned',
      'outposts',
      'scan-gap',
      'chain-role-conflict',
      'unsafe-name',
      'owner-unsafe',
      'owner-eksctl',
      'owner-managed',
      'addon-no-pod-identity',
      'addon-pod-identity-unknown',
    ]);
    for (const r of Object.values(PLANNING_RULES)) if (!notExpected.has(r.id)) expect(rules, r.id).toContain(r.id);
    expect(rules).not.toContain('rewrite-not-equivalent');
  });

  it('proves every rewrite and changes no statement it should keep', () => {
    expect(result.summary.allEquivalent).toBe(true);
    for (const role of result.roles.filter((r) => r.changed)) expect(role.equivalence.identitiesChecked, role.arn).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' }))).toBe(JSON.stringify(result));
  });

  it('scopes the shared role per cluster: each cluster admitted only for its own identities', () => {
    const role = 'arn:aws:iam::111122223333:role/read-from-s3';
    expect(podIdentityAdmits(result, inventory, { roleArn: role, cluster: 'prod-eu', namespace: 'media', serviceAccount: 'thumbnailer' })).toBe(true);
    expect(podIdentityAdmits(result, inventory, { roleArn: role, cluster: 'prod-us', namespace: 'media', serviceAccount: 'transcoder' })).toBe(true);
    expect(podIdentityAdmits(result, inventory, { roleArn: role, cluster: 'prod-eu', namespace: 'media', serviceAccount: 'transcoder' })).toBe(false);
    expect(podIdentityAdmits(result, inventory, { roleArn: role, cluster: 'legacy', namespace: 'media', serviceAccount: 'thumbnailer' })).toBe(false);
  });

  it('keeps the GitHub Actions statement and the Deny verbatim in every phase', () => {
    const role = result.roles.find((r) => r.arn.endsWith(':role/deployer'))!;
    const current = role.trustPolicy.current!.Statement as unknown[];
    const untouched = current.filter((s) => !JSON.stringify(s).includes('oidc.eks.') || JSON.stringify(s).includes('"Deny"'));
    expect(untouched.length).toBeGreaterThanOrEqual(2);
    for (const phase of ['transition', 'final'] as const) {
      for (const st of untouched) expect(role.trustPolicy[phase].Statement).toContainEqual(st);
    }
  });

  it('re-planning a role already carrying the statements adds nothing', () => {
    const applied = {
      ...inventory,
      roles: inventory.roles.map((r) => {
        const planned = result.roles.find((p) => p.arn === r.arn);
        return planned ? { ...r, trustPolicy: planned.trustPolicy.transition } : r;
      }),
    };
    const again = plan(applied, { generatedAt: '2026-01-01T00:00:00.000Z' });
    for (const role of again.roles.filter((r) => r.kind === 'existing')) {
      expect(role.trustPolicy.transition, role.arn).toEqual(role.trustPolicy.current);
    }
  });
});
