import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/index.js';
import { PLANNING_RULES as R } from '../../src/findings/planning-rules.js';
import { planCandidates } from '../../src/plan/identities.js';
import { plan } from '../../src/plan/plan.js';
import { planRoles } from '../../src/plan/roles.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import type { Inventory } from '../../src/model/inventory.js';
import { cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** Bundles whose roles change identities' decisions: too large a trust, a refused rewrite, an unadoptable chaining role, a trust that keeps IRSA. */
const BUNDLES: readonly [string, string][] = [
  ['fixtures/demo', R.trustPolicyTooLarge.id],
  ['fixtures/shared-role-too-large', R.trustPolicyTooLarge.id],
  ['test/fixtures/hostile/policy-not-principal', R.rewriteNotEquivalent.id],
  ['test/fixtures/hostile/chain-role-name-held-cluster-by-name-only', R.chainRoleConflict.id],
  ['fixtures/wildcard-subject', R.finalKeepsIrsa.id],
];

/** A role the planner gives up on: its trust admits Pod Identity only until a date, which cannot be evaluated. */
function timeBoxed(): Inventory {
  const c = cluster('c1', [serviceAccount('shop', 'cart', 'arn:aws:iam::111122223333:role/app')]);
  const pods = {
    Effect: 'Allow' as const,
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
  };
  return inventory([c], [role('app', [irsaStatement(c, 'StringEquals', ['system:serviceaccount:shop:cart']), pods])]);
}

describe('identity decisions', () => {
  it.each([...BUNDLES, ['(built) a time-boxed Pod Identity trust', R.unsupportedCondition.id] as [string, string]])(
    'are values: planning the roles of %s leaves the decisions it was given as they were and returns new ones (%s)',
    (dir, rule) => {
      const analysis = analyze(dir.startsWith('(built)') ? timeBoxed() : readEvidenceBundle(join(ROOT, dir)));
      const given = planCandidates(analysis.indexes, analysis.oracle);
      const before = JSON.stringify(given);
      const planned = planRoles(analysis.indexes, analysis.oracle, given);
      expect(JSON.stringify(given)).toBe(before);
      const changed = planned.candidates.filter((c, i) => c !== given[i]);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.some((c) => c.decision.reasons.includes(rule))).toBe(true);
      expect(planned.candidates.map((c) => c.identity)).toEqual(given.map((c) => c.identity));
    },
  );

  it('give the plan its statuses and reasons, and a second plan of the same analysis is the same', () => {
    const analysis = analyze(readEvidenceBundle(join(ROOT, 'fixtures', 'demo')));
    const first = plan(analysis, { generatedAt: 'x' });
    const planned = planRoles(analysis.indexes, analysis.oracle, planCandidates(analysis.indexes, analysis.oracle));
    expect(first.associations.map((a) => a.status)).toEqual(planned.candidates.map((c) => c.decision.kind));
    expect(first.associations.map((a) => a.reasons.filter((r) => r !== R.agentMissing.id))).toEqual(
      planned.candidates.map((c) => [...new Set(c.decision.reasons)]),
    );
    expect(plan(analysis, { generatedAt: 'x' })).toEqual(first);
  });
});
