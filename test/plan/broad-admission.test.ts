import { describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/iam/evaluate.js';
import { asList, normalizeStatements, type PolicyDocument, type RawStatement } from '../../src/iam/policy.js';
import { podIdentityRequest } from '../../src/iam/requests.js';
import { identityOf } from '../../src/analysis/indexes.js';
import { plan } from '../../src/plan/plan.js';
import { audit } from '../../src/rules/index.js';
import { cluster, clusterOf, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const R = 'arn:aws:iam::111122223333:role/app';
const POD_IDENTITY = { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] } as const;

/** The AWS guide's example: namespace and service account, no cluster. */
const partial = (sid?: string): RawStatement => ({
  ...(sid === undefined ? {} : { Sid: sid }),
  ...POD_IDENTITY,
  Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': ['shop'], 'aws:RequestTag/kubernetes-service-account': ['cart'] } },
});

const admits = (doc: PolicyDocument, id: ReturnType<typeof identityOf>) => evaluateTrust(normalizeStatements(doc), podIdentityRequest(id)).decision;

function world(broad: RawStatement, extra: RawStatement[] = []) {
  const prod = cluster('prod', [serviceAccount('shop', 'cart', R), serviceAccount('shop', 'other', R)]);
  const test = cluster('test', [serviceAccount('shop', 'cart')]);
  const r = role('app', [irsaStatement(prod, 'StringEquals', ['system:serviceaccount:shop:cart', 'system:serviceaccount:shop:other']), broad, ...extra]);
  const inv = inventory([prod, test], [r]);
  return { prod, test, r, inv, p: plan(inv, { generatedAt: 'x' }) };
}

/** The statements the plan added to the role's trust, alone. */
function added(p: ReturnType<typeof plan>, current: PolicyDocument): PolicyDocument {
  const before = new Set(asList(current.Statement).map((s) => JSON.stringify(s)));
  const trust = p.roles.find((x) => x.arn === R)!.trustPolicy.transition;
  return { Version: '2012-10-17', Statement: asList(trust.Statement).filter((s) => !before.has(JSON.stringify(s))) };
}

describe('an identity the trust admits only through a statement not scoped to its cluster', () => {
  it.each([
    ['namespace and service account only (the AWS guide)', partial('AllowEksAuthToAssumeRoleForPodIdentity'), 'AllowEksAuthToAssumeRoleForPodIdentity'],
    ['the same with an empty Sid', partial(''), '#1'],
    ['no condition at all (eksctl)', { ...POD_IDENTITY }, '#1'],
    [
      'the cluster name but not its ARN',
      {
        ...POD_IDENTITY,
        Condition: {
          StringEquals: {
            'aws:RequestTag/eks-cluster-name': 'prod',
            'aws:RequestTag/kubernetes-namespace': 'shop',
            'aws:RequestTag/kubernetes-service-account': 'cart',
          },
        },
      },
      '#1',
    ],
    [
      'a cluster ARN pattern',
      {
        ...POD_IDENTITY,
        Condition: {
          StringLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:*:111122223333:cluster/*' },
          StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' },
        },
      },
      '#1',
    ],
    [
      'a pattern that admits prod and no scanned or nearby cluster (c? style)',
      {
        ...POD_IDENTITY,
        Condition: {
          StringLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/p?od' },
          StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' },
        },
      },
      '#1',
    ],
    [
      'a region pattern (prod in every eu region)',
      {
        ...POD_IDENTITY,
        Condition: {
          ArnLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-*:111122223333:cluster/prod' },
          StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' },
        },
      },
      '#1',
    ],
    [
      'IfExists on the exact cluster (also admits an association without session tags)',
      {
        ...POD_IDENTITY,
        Condition: {
          StringEqualsIfExists: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' },
          StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' },
        },
      },
      '#1',
    ],
    [
      'a set qualifier on a pattern',
      {
        ...POD_IDENTITY,
        Condition: {
          'ForAnyValue:StringLike': { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/pro*' },
          StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' },
        },
      },
      '#1',
    ],
  ])('%s: gets the cluster-scoped statement the planner writes, and a finding naming the statement and the clusters', (_name, broad, label) => {
    const { prod, test, r, p } = world(broad);
    const mine = added(p, r.trustPolicy);
    const cart = identityOf(prod, 'shop', 'cart');
    expect(admits(mine, cart)).toBe('yes');
    expect(admits(mine, identityOf(test, 'shop', 'cart'))).toBe('no');
    expect(admits(mine, identityOf(clusterOf('prod', { region: 'us-east-1' }), 'shop', 'cart'))).toBe('no');
    expect(admits(mine, identityOf(prod, 'shop', 'stranger'))).toBe('no');
    expect(admits(mine, identityOf(prod, 'web', 'cart'))).toBe('no');
    for (const st of asList(mine.Statement)) expect(JSON.stringify(st.Condition)).toContain(prod.arn);
    expect(p.roles.find((x) => x.arn === R)!.equivalent).toBe(true);
    const found = p.findings.filter((f) => f.rule === 'relies-on-broad-trust');
    expect(found.map((f) => [f.roleArn, f.cluster, f.namespace, f.serviceAccount])).toContainEqual([R, 'prod', 'shop', 'cart']);
    const message = found.find((f) => f.serviceAccount === 'cart')!.message;
    expect(message).toContain(`statement ${label} `);
    expect(message).toMatch(/in prod, test and any other cluster of account 111122223333|in prod and any other cluster of account 111122223333/);
    expect(message).not.toMatch(/statement(\s{2,}|\s*$)/);
  });

  it('names the clusters the statement admits the pair in: both scanned clusters for the AWS guide example', () => {
    const { p } = world(partial('Guide'));
    const message = p.findings.find((f) => f.rule === 'relies-on-broad-trust')!.message;
    expect(message).toContain('statement Guide (admits shop/cart in prod, test and any other cluster of account 111122223333)');
  });

  it('adds nothing and says nothing when a statement scoped to the cluster already admits it beside the broad one', () => {
    const scoped: RawStatement = {
      ...POD_IDENTITY,
      Condition: {
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
          'aws:RequestTag/kubernetes-namespace': 'shop',
          'aws:RequestTag/kubernetes-service-account': 'cart',
        },
      },
    };
    const { r, p } = world(partial('Guide'), [scoped]);
    const cart = p.associations.find((a) => a.serviceAccount === 'cart')!;
    expect(cart.status).toBe('create');
    expect(p.findings.filter((f) => f.rule === 'relies-on-broad-trust' && f.serviceAccount === 'cart')).toEqual([]);
    expect(asList(added(p, r.trustPolicy).Statement).some((s) => JSON.stringify(s).includes('"cart"'))).toBe(false);
  });

  it('the audit flags the partial statement (pod-identity-partial-scope) with the scanned clusters of the account, and not a cluster-scoped one', () => {
    const { inv } = world(partial(''));
    const found = audit(inv).filter((f) => f.rule === 'pod-identity-partial-scope');
    expect(found.map((f) => f.message)).toEqual([
      `${R}: trust statement #1 admits namespace "shop" and service account "cart" in other clusters of account 111122223333 than those it means (scanned: prod, test): it does not name its clusters by exact eks-cluster-arn values`,
    ]);
    const byName = world({
      ...POD_IDENTITY,
      Condition: { StringEquals: { 'aws:RequestTag/eks-cluster-name': 'prod', 'aws:RequestTag/kubernetes-namespace': 'shop' } },
    });
    expect(audit(byName.inv).filter((f) => f.rule === 'pod-identity-partial-scope')).toHaveLength(1);
    const looseConditions: Record<string, Record<string, string>>[] = [
      { StringLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/p?od' } },
      { ArnLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-*:111122223333:cluster/prod' } },
      { StringEqualsIfExists: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' } },
      { 'ForAnyValue:StringEquals': { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' } },
    ];
    for (const loose of looseConditions) {
      const w = world({ ...POD_IDENTITY, Condition: { ...loose, StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop' } } });
      expect(
        audit(w.inv).filter((f) => f.rule === 'pod-identity-partial-scope'),
        JSON.stringify(loose),
      ).toHaveLength(1);
    }
    const exact = world({
      ...POD_IDENTITY,
      Condition: {
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': ['arn:aws:eks:eu-west-1:111122223333:cluster/prod', 'arn:aws:eks:eu-west-1:111122223333:cluster/test'],
          'aws:RequestTag/kubernetes-namespace': 'shop',
        },
      },
    });
    expect(audit(exact.inv).filter((f) => f.rule === 'pod-identity-partial-scope')).toEqual([]);
    const notCluster = world({
      ...POD_IDENTITY,
      Condition: {
        StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/test' },
        StringEquals: { 'aws:RequestTag/kubernetes-service-account': 'cart' },
      },
    });
    expect(
      audit(notCluster.inv)
        .filter((f) => f.rule === 'pod-identity-partial-scope')
        .map((f) => f.message),
    ).toEqual([
      `${R}: trust statement #1 admits service account "cart" in other clusters of account 111122223333 than those it means (scanned: prod, test): it does not name its clusters by exact eks-cluster-arn values`,
    ]);
    const unscoped = world({ ...POD_IDENTITY });
    expect(audit(unscoped.inv).filter((f) => f.rule === 'pod-identity-partial-scope')).toEqual([]);
  });
});

describe('a Deny that fences Pod Identity to one cluster', () => {
  const PROD = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod';
  const fence = (condition: Record<string, Record<string, string | string[]>>, extra: Partial<RawStatement> = {}): RawStatement => ({
    Effect: 'Deny',
    Principal: { Service: 'pods.eks.amazonaws.com' },
    Action: 'sts:AssumeRole',
    Condition: condition,
    ...extra,
  });

  it.each([
    ['StringNotEquals', fence({ StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': PROD } })],
    ['ArnNotEquals', fence({ ArnNotEquals: { 'aws:RequestTag/eks-cluster-arn': [PROD] } })],
  ])('%s: the broad Allow is scoped by it, so the plan adds no statement and neither plan nor audit flags it', (_name, deny) => {
    const { prod, test, r, inv, p } = world(partial('Guide'), [deny]);
    expect(admits(r.trustPolicy, identityOf(prod, 'shop', 'cart'))).toBe('yes');
    expect(admits(r.trustPolicy, identityOf(test, 'shop', 'cart'))).toBe('no');
    expect(p.associations.find((a) => a.serviceAccount === 'cart')!.status).toBe('create');
    expect(asList(added(p, r.trustPolicy).Statement).some((st) => JSON.stringify(st).includes('"cart"'))).toBe(false);
    expect(p.findings.filter((f) => f.rule === 'relies-on-broad-trust')).toEqual([]);
    expect(audit(inv).filter((f) => f.rule === 'pod-identity-partial-scope')).toEqual([]);
  });

  it.each([
    [
      'two clusters (an Allow meant for one may admit the pair in the other)',
      fence({ ArnNotEquals: { 'aws:RequestTag/eks-cluster-arn': [PROD, 'arn:aws:eks:us-east-1:111122223333:cluster/dr'] } }),
    ],
    ['a pattern', fence({ StringNotLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:*:111122223333:cluster/*' } })],
    [
      'a second condition (denies only when both hold)',
      fence({ StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': PROD, 'aws:RequestTag/kubernetes-namespace': 'web' } }),
    ],
    [
      'NotPrincipal',
      { ...fence({ StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': PROD } }), Principal: undefined, NotPrincipal: { Service: 'ec2.amazonaws.com' } },
    ],
    ['sts:TagSession only', fence({ StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': PROD } }, { Action: 'sts:TagSession' })],
    ['another service', fence({ StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': PROD } }, { Principal: { Service: 'ec2.amazonaws.com' } })],
  ])('a Deny with %s is no fence: the identity gets its cluster-scoped statement and the finding', (_name, deny) => {
    const { prod, test, r, inv, p } = world(partial('Guide'), [JSON.parse(JSON.stringify(deny)) as RawStatement]);
    const mine = added(p, r.trustPolicy);
    expect(admits(mine, identityOf(prod, 'shop', 'cart'))).toBe('yes');
    expect(admits(mine, identityOf(test, 'shop', 'cart'))).toBe('no');
    expect(p.findings.filter((f) => f.rule === 'relies-on-broad-trust' && f.serviceAccount === 'cart')).toHaveLength(1);
    expect(audit(inv).filter((f) => f.rule === 'pod-identity-partial-scope')).toHaveLength(1);
  });
});

describe('when the cluster-scoped statements do not fit under the trust size limit', () => {
  it('identities the broad statement admits today still migrate, relying on it, and the finding says not to remove it; others are blocked as before', () => {
    const sas = Array.from({ length: 60 }, (_, i) => serviceAccount(`team-${String(i)}`, `app-${String(i)}`, R));
    const prod = cluster('prod', [...sas, serviceAccount('shop', 'cart', R)]);
    const broad: RawStatement = {
      ...POD_IDENTITY,
      Condition: { StringLike: { 'aws:RequestTag/kubernetes-namespace': 'team-*' } },
    };
    const r = role('app', [irsaStatement(prod, 'StringLike', ['system:serviceaccount:*']), broad]);
    const inv = inventory([prod], [r]);
    const p = plan(inv, { generatedAt: 'x' });
    const byName = new Map(p.associations.map((a) => [`${a.namespace}/${a.serviceAccount}`, a.status]));
    for (let i = 0; i < 60; i++) expect(byName.get(`team-${String(i)}/app-${String(i)}`)).toBe('create');
    const trust = p.roles.find((x) => x.arn === R)!.trustPolicy.transition;
    for (let i = 0; i < 60; i++) expect(admits(trust, identityOf(prod, `team-${String(i)}`, `app-${String(i)}`))).toBe('yes');
    expect(admits(trust, identityOf(prod, 'shop', 'cart'))).toBe(byName.get('shop/cart') === 'create' ? 'yes' : 'no');
    const relying = p.findings.filter((f) => f.rule === 'relies-on-broad-trust' && f.message.includes('goes on relying on that statement'));
    expect(relying.length).toBeGreaterThan(0);
    expect(relying[0]!.message).toContain('do not narrow or remove that statement');
    expect(p.findings.filter((f) => f.rule === 'trust-policy-too-large' && / 0 of /.test(f.message))).toEqual([]);
  });

  it('identities the trust already admits never take the size budget from one it does not admit: namespaces that sort first and rely on the broad statement leave room for the last', () => {
    const sas = Array.from({ length: 200 }, (_, i) => serviceAccount('aaa', `app-${String(i)}`, R));
    const prod = cluster('prod', [...sas, serviceAccount('zzz', 'x', R)]);
    const broad: RawStatement = { ...POD_IDENTITY, Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'aaa' } } };
    const r = role('app', [irsaStatement(prod, 'StringLike', ['system:serviceaccount:*']), broad]);
    const p = plan(inventory([prod], [r]), { generatedAt: 'x' });
    const byName = new Map(p.associations.map((a) => [`${a.namespace}/${a.serviceAccount}`, a.status]));
    expect(byName.get('zzz/x')).toBe('create');
    for (let i = 0; i < 200; i++) expect(byName.get(`aaa/app-${String(i)}`)).toBe('create');
    expect(p.findings.filter((f) => f.rule === 'trust-policy-too-large')).toEqual([]);
    const trust = p.roles.find((x) => x.arn === R)!.trustPolicy.transition;
    expect(admits(trust, identityOf(prod, 'zzz', 'x'))).toBe('yes');
    expect(admits(trust, identityOf(prod, 'zzz', 'y'))).toBe('no');
  });
});
