import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeStatements, type PolicyDocument, type RawStatement } from '../../src/iam/policy.js';
import { irsaRequest, podIdentityRequest, type Identity } from '../../src/iam/requests.js';
import type { Inventory } from '../../src/model/inventory.js';
import { plan } from '../../src/plan/plan.js';
import { podIdentityStatements } from '../../src/plan/trust-rewrite.js';
import { cluster, GITHUB_STATEMENT, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const NAMESPACES = ['n1', 'n2', 'n3'];
const ACCOUNTS = ['s1', 's2', 's3'];
const ROLE = 'arn:aws:iam::111122223333:role/shared';

const pairArb = fc.tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...ACCOUNTS));
const subjectArb = fc.oneof(
  pairArb.map(([n, s]) => `system:serviceaccount:${n}:${s}`),
  fc.constantFrom(...NAMESPACES).map((n) => `system:serviceaccount:${n}:*`),
);
const scenarioArb = fc.record({
  c1Subjects: fc.array(subjectArb, { minLength: 1, maxLength: 4 }),
  c2Subjects: fc.array(subjectArb, { maxLength: 3 }),
  withGithub: fc.boolean(),
  annotated: fc.array(fc.tuple(fc.constantFrom('c1', 'c2'), pairArb), { minLength: 1, maxLength: 6 }),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario): Inventory {
  const annotated = new Set(s.annotated.map(([c, [n, a]]) => `${c}/${n}/${a}`));
  const sas = (c: string) => NAMESPACES.flatMap((n) => ACCOUNTS.map((a) => serviceAccount(n, a, annotated.has(`${c}/${n}/${a}`) ? ROLE : undefined)));
  const c1 = cluster('c1', sas('c1'));
  const c2 = cluster('c2', sas('c2'));
  const statements: RawStatement[] = [irsaStatement(c1, s.c1Subjects.some((x) => x.includes('*')) ? 'StringLike' : 'StringEquals', s.c1Subjects)];
  if (s.c2Subjects.length) statements.push(irsaStatement(c2, s.c2Subjects.some((x) => x.includes('*')) ? 'StringLike' : 'StringEquals', s.c2Subjects));
  if (s.withGithub) statements.push(GITHUB_STATEMENT);
  return inventory([c1, c2, cluster('c3', sas('c3'))], [role('shared', statements)]);
}

function everyone(inv: Inventory): Identity[] {
  return inv.clusters.flatMap((c) =>
    NAMESPACES.flatMap((namespace) =>
      [...ACCOUNTS, 'other'].map((serviceAccount) => ({
        clusterArn: c.arn,
        clusterName: c.name,
        accountId: c.accountId,
        region: c.region,
        issuerHostPath: c.issuerHostPath!,
        namespace,
        serviceAccount,
        audience: 'sts.amazonaws.com',
      })),
    ),
  );
}

const pi = (doc: PolicyDocument, id: Identity) => evaluateTrust(normalizeStatements(doc), podIdentityRequest(id)).decision === 'yes';
const irsa = (doc: PolicyDocument, id: Identity) => evaluateTrust(normalizeStatements(doc), irsaRequest(id, '111122223333')).decision === 'yes';
const key = (id: Identity) => `${id.clusterName}/${id.namespace}/${id.serviceAccount}`;

describe('trust rewrite properties', () => {
  it('admits exactly the migrated identities and leaves everything else as it was', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const inv = build(s);
        const result = plan(inv, { generatedAt: 'x' });
        const planned = result.roles.find((r) => r.arn === ROLE)!;
        const current = inv.roles[0]!.trustPolicy;
        const migrated = new Set(
          result.associations.filter((a) => a.status === 'create' || a.status === 'exists').map((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`),
        );
        expect(planned.equivalent).toBe(true);
        for (const id of everyone(inv)) {
          const isMigrated = migrated.has(key(id));
          expect(pi(planned.trustPolicy.transition, id), `transition PI ${key(id)}`).toBe(isMigrated);
          expect(pi(planned.trustPolicy.final, id), `final PI ${key(id)}`).toBe(isMigrated);
          if (isMigrated) expect(irsa(current, id), `migrated only if IRSA admitted ${key(id)}`).toBe(true);
          expect(irsa(planned.trustPolicy.transition, id)).toBe(irsa(current, id));
          if (!isMigrated) expect(irsa(planned.trustPolicy.final, id), `final IRSA ${key(id)}`).toBe(irsa(current, id));
        }
        if (s.withGithub) {
          expect(planned.trustPolicy.transition.Statement).toContainEqual(GITHUB_STATEMENT);
          expect(planned.trustPolicy.final.Statement).toContainEqual(GITHUB_STATEMENT);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('planning again after applying the transition adds nothing', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const inv = build(s);
        const first = plan(inv, { generatedAt: 'x' }).roles.find((r) => r.arn === ROLE)!;
        const applied: Inventory = { ...inv, roles: [{ ...inv.roles[0]!, trustPolicy: first.trustPolicy.transition }] };
        const second = plan(applied, { generatedAt: 'x' }).roles.find((r) => r.arn === ROLE)!;
        expect(second.trustPolicy.transition).toEqual(second.trustPolicy.current);
        expect(second.trustPolicy.final).toEqual(first.trustPolicy.final);
      }),
      { numRuns: 100 },
    );
  });

  it('under any trust-size limit, the plan keeps every trust within it and admits exactly the identities it migrates', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 400, max: 4096 }), (s, limit) => {
        const inv = build(s);
        const result = plan(inv, { generatedAt: 'x', trustPolicyLimit: limit });
        const planned = result.roles.find((r) => r.arn === ROLE)!;
        const bound = Math.max(limit, planned.trustSize.current);
        expect(planned.equivalent).toBe(true);
        expect(Math.max(planned.trustSize.transition, planned.trustSize.final)).toBeLessThanOrEqual(bound);
        const migrated = new Set(
          result.associations.filter((a) => a.status === 'create' || a.status === 'exists').map((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`),
        );
        for (const a of result.associations.filter((a) => a.status === 'blocked')) expect(a.reasons).toContain('trust-policy-too-large');
        for (const id of everyone(inv)) {
          expect(pi(planned.trustPolicy.transition, id), `transition PI ${key(id)}`).toBe(migrated.has(key(id)));
          expect(pi(planned.trustPolicy.final, id), `final PI ${key(id)}`).toBe(migrated.has(key(id)));
          expect(irsa(planned.trustPolicy.transition, id)).toBe(irsa(inv.roles[0]!.trustPolicy, id));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('compacted Pod Identity statements admit exactly the identities given, across clusters, namespaces and service accounts', () => {
    const inv = build({ c1Subjects: ['system:serviceaccount:n1:s1'], c2Subjects: [], withGithub: false, annotated: [['c1', ['n1', 's1']]] });
    const domain = everyone(inv);
    fc.assert(
      fc.property(fc.subarray(domain), (chosen) => {
        const doc: PolicyDocument = { Version: '2012-10-17', Statement: podIdentityStatements(chosen, new Set(), { compact: true }) };
        const plainDoc: PolicyDocument = { Version: '2012-10-17', Statement: podIdentityStatements(chosen, new Set()) };
        const want = new Set(chosen.map(key));
        for (const id of domain) expect(pi(doc, id), key(id)).toBe(want.has(key(id)));
        expect(JSON.stringify(doc).length).toBeLessThanOrEqual(JSON.stringify(plainDoc).length);
      }),
      { numRuns: 300 },
    );
  });
});
