import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateTrust, type Tri } from '../../src/iam/evaluate.js';
import { normalizeStatements, type PolicyDocument, type RawStatement } from '../../src/iam/policy.js';
import { irsaRequest, podIdentityRequest, type Identity } from '../../src/iam/requests.js';
import { buildIndexes as buildContext, identityOf } from '../../src/analysis/indexes.js';
import { universeFor } from '../../src/plan/equivalence.js';
import { ACCOUNT, cluster, inventory, providerArn, serviceAccount } from '../helpers/inventory.js';
import type { Cluster } from '../../src/model/inventory.js';

const NAMESPACES = ['n1', 'n2', 'n10'];
const NAMES = ['s1', 's2', 's10', 'irsa2pi-unmentioned'];
const VALUES = [...NAMESPACES, ...NAMES, 'n*', 's?', '*1', '*', 'irsa2pi*'];
const c1 = cluster('c1');
const c2 = cluster('c2');

const subjectArb = fc.oneof(
  fc
    .tuple(fc.constantFrom(...NAMESPACES, 'n*', '*'), fc.constantFrom(...NAMES, 's*', '*1', '*', 'irsa2pi*', 'z*'))
    .map(([n, s]) => `system:serviceaccount:${n}:${s}`),
  fc.constantFrom('system:serviceaccount:*', 'system:serviceaccount:n?:s?'),
);
const effectArb = fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny');
const irsaArb = fc.record({
  kind: fc.constant('irsa' as const),
  cluster: fc.constantFrom(c1, c2),
  effect: effectArb,
  operator: fc.constantFrom('StringEquals', 'StringLike', 'StringNotLike', 'StringEqualsIgnoreCase'),
  values: fc.array(subjectArb, { minLength: 1, maxLength: 3 }),
});
const podIdentityArb = fc.record({
  kind: fc.constant('pi' as const),
  cluster: fc.constantFrom(c1, c2),
  effect: effectArb,
  operator: fc.constantFrom('StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike'),
  tag: fc.constantFrom('kubernetes-namespace', 'kubernetes-service-account'),
  values: fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 3 }),
  namespace: fc.option(fc.constantFrom(...NAMESPACES), { nil: undefined }),
});
type Spec = ReturnType<typeof irsaArb.generate>['value'] | ReturnType<typeof podIdentityArb.generate>['value'];
const specArb: fc.Arbitrary<Spec> = fc.oneof(irsaArb, podIdentityArb);

function statement(s: Spec): RawStatement {
  if (s.kind === 'irsa') {
    return {
      Effect: s.effect,
      Principal: { Federated: providerArn(s.cluster) },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { [s.operator]: { [`${s.cluster.issuerHostPath}:sub`]: s.values } },
    };
  }
  return {
    Effect: s.effect,
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: ['sts:AssumeRole', 'sts:TagSession'],
    Condition: {
      StringEquals: { 'aws:RequestTag/eks-cluster-arn': s.cluster.arn, ...(s.namespace ? { 'aws:RequestTag/kubernetes-namespace': s.namespace } : {}) },
      [s.operator === 'StringEquals' ? 'ForAnyValue:StringEquals' : s.operator]: { [`aws:RequestTag/${s.tag}`]: s.values },
    },
  };
}

const mutationArb = fc.record({ at: fc.nat(), value: fc.oneof(subjectArb, fc.constantFrom(...VALUES)), drop: fc.boolean() });
const scenarioArb = fc.record({
  specs: fc.array(specArb, { minLength: 1, maxLength: 4 }),
  mutations: fc.array(mutationArb, { minLength: 1, maxLength: 2 }),
  scanned: fc.array(fc.tuple(fc.constantFrom(c1, c2), fc.constantFrom(...NAMESPACES, 'n3'), fc.constantFrom(...NAMES, 's3')), { minLength: 1, maxLength: 10 }),
});

function mutate(specs: readonly Spec[], mutations: readonly { at: number; value: string; drop: boolean }[]): Spec[] {
  const out = specs.map((s) => ({ ...s, values: [...s.values] }));
  for (const m of mutations) {
    const s = out[m.at % out.length]!;
    const i = m.at % s.values.length;
    if (m.drop && s.values.length > 1) s.values.splice(i, 1);
    else s.values[i] = s.kind === 'irsa' && !m.value.startsWith('system:') ? `system:serviceaccount:n1:${m.value}` : m.value;
  }
  return out;
}

const doc = (specs: readonly Spec[]): PolicyDocument => ({ Version: '2012-10-17', Statement: specs.map(statement) });
const irsa = (d: PolicyDocument, id: Identity): Tri => evaluateTrust(normalizeStatements(d), irsaRequest(id, ACCOUNT)).decision;
const pi = (d: PolicyDocument, id: Identity): Tri => evaluateTrust(normalizeStatements(d), podIdentityRequest(id)).decision;

describe('the equivalence universe', () => {
  it('two trusts that agree on every identity of the universe agree on every scanned service account', () => {
    fc.assert(
      fc.property(scenarioArb, ({ specs, mutations, scanned }) => {
        const sas = (c: Cluster) =>
          [...new Set(scanned.filter(([k]) => k === c).map(([, n, s]) => `${n}|${s}`))].map((k) => serviceAccount(k.split('|')[0]!, k.split('|')[1]!));
        const clusters = [cluster('c1', sas(c1)), cluster('c2', sas(c2))];
        const ctx = buildContext(inventory(clusters, []));
        const before = doc(specs);
        const after = doc(mutate(specs, mutations));
        const migrated = [identityOf(clusters[0]!, 'n1', 's1')];
        const universe = universeFor(ctx, [before, after], migrated);
        const text = JSON.stringify([before, after]);
        const relevant = clusters.filter((c) => c.name === 'c1' || text.includes(c.issuerHostPath!) || text.includes(c.arn));
        const scannedIds = relevant.flatMap((c) => c.kubernetes!.serviceAccounts.map((sa) => identityOf(c, sa.namespace, sa.name)));
        for (const [name, decide] of [
          ['irsa', irsa],
          ['pod identity', pi],
        ] as const) {
          const agree = (ids: Identity[]) => ids.every((id) => decide(before, id) === decide(after, id));
          if (!agree(universe)) continue;
          const missed = scannedIds
            .filter((id) => decide(before, id) !== decide(after, id))
            .map((id) => `${id.clusterName}/${id.namespace}/${id.serviceAccount}`);
          expect(missed, `${name}: the universe agrees but these differ`).toEqual([]);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
