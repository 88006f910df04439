import { describe, expect, it } from 'vitest';
import { evaluateClause, evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeStatements, splitOperator } from '../../src/iam/policy.js';
import { irsaRequest } from '../../src/iam/requests.js';
import { buildIndexes as buildContext, identityOf } from '../../src/analysis/indexes.js';
import { checkRewrite, sameStatementsFor, universeFor } from '../../src/plan/equivalence.js';
import { chainRoleArnFor } from '../../src/plan/identities.js';
import { TrustOracle } from '../../src/analysis/oracle.js';
import { plan } from '../../src/plan/plan.js';
import { podIdentityStatements, withStatements } from '../../src/plan/trust-rewrite.js';
import type { RawStatement } from '../../src/iam/policy.js';
import type { Inventory, Role } from '../../src/model/inventory.js';
import { CHAIN_POLICY_NAME, chainPermissions } from '../../src/plan/chain-adoption.js';
import { ACCOUNT, cluster, inventory, irsaStatement, providerArn, role, serviceAccount } from '../helpers/inventory.js';
import { podIdentityAdmits } from '../helpers/admission.js';

const R = 'arn:aws:iam::111122223333:role/app';

describe('regressions found in review', () => {
  it('an escaped ${*} in StringLike is a literal star, never a wildcard: nothing is migrated', () => {
    const c = cluster('prod', [serviceAccount('team-a', 'api', R), serviceAccount('team-a', 'worker', R)]);
    const r = role('app', [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(c) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringLike: { [`${c.issuerHostPath}:sub`]: 'system:serviceaccount:team-a:${*}' },
          StringEquals: { [`${c.issuerHostPath}:aud`]: 'sts.amazonaws.com' },
        },
      },
    ]);
    const p = plan(inventory([c], [r]), { generatedAt: 'x' });
    expect(p.associations.map((a) => a.status)).toEqual(['skipped', 'skipped']);
    expect(p.roles[0]!.trustPolicy.transition).toEqual(r.trustPolicy);
  });

  it('the check evaluates every subject the trust names, so a final trust that drops one is caught', () => {
    const c = cluster('prod', [serviceAccount('team-a', 'api', R)]);
    const r = role('app', [irsaStatement(c, 'StringEquals', ['system:serviceaccount:team-a:api', 'system:serviceaccount:team-a:orphan'])]);
    const ctx = buildContext(inventory([c], [r]));
    const oracle = new TrustOracle(ctx);
    const migrated = [identityOf(c, 'team-a', 'api')];
    const current = r.trustPolicy;
    const transition = withStatements(current, podIdentityStatements(migrated, new Set()));
    const wrongFinal = { ...transition, Statement: (transition.Statement as unknown[]).slice(1) as never };
    const universe = universeFor(ctx, [current, transition], migrated);
    expect(universe.map((id) => `${id.namespace}/${id.serviceAccount}`)).toContain('team-a/orphan');
    const result = checkRewrite({ current, transition, final: wrongFinal }, migrated, universe, {
      irsa: (d, id) => oracle.irsa(d, c.accountId, id).decision,
      podIdentity: (_p, d, id) => oracle.podIdentity(d, id).decision,
    });
    expect(result.differences.map((d) => `${d.phase} ${d.mechanism} ${d.identity}`)).toContain('final irsa prod/team-a/orphan');
  });

  it('the check reuses a phase only when the statements for the mechanism are the very same objects, so a changed Pod Identity statement is caught', () => {
    const c = cluster('prod', [serviceAccount('team-a', 'api', R)]);
    const r = role('app', [irsaStatement(c, 'StringEquals', ['system:serviceaccount:team-a:api'])]);
    const ctx = buildContext(inventory([c], [r]));
    const oracle = new TrustOracle(ctx);
    const migrated = [identityOf(c, 'team-a', 'api')];
    const current = r.trustPolicy;
    const added = podIdentityStatements(migrated, new Set());
    const transition = withStatements(current, added);
    const widened = { ...added[0]!, Condition: { StringEquals: { 'aws:RequestTag/eks-cluster-arn': c.arn } } };
    const final = withStatements(current, [widened]);
    const phases = { current, transition, final };
    const result = checkRewrite(phases, migrated, universeFor(ctx, [current, transition, final], migrated), {
      irsa: (d, id) => oracle.irsa(d, c.accountId, id).decision,
      podIdentity: (_p, d, id) => oracle.podIdentity(d, id).decision,
      samePhases: (mechanism, a, b) => sameStatementsFor(phases[a], phases[b], mechanism === 'irsa' ? ['Federated'] : ['Service', 'AWS']),
    });
    expect(sameStatementsFor(transition, final, ['Federated'])).toBe(true);
    expect(sameStatementsFor(transition, final, ['Service', 'AWS'])).toBe(false);
    expect(result.differences.map((d) => `${d.phase} ${d.mechanism}`)).toContain('final pod-identity');
  });

  it('with wildcard patterns in the trust, service accounts a pattern matches are evaluated themselves, the rest through representatives', () => {
    const c = cluster('prod', [
      serviceAccount('team-a', 'api-gw', R),
      serviceAccount('team-a', 'worker'),
      serviceAccount('team-b', 'cron-job'),
      serviceAccount('team-c', 'batch'),
    ]);
    const r = role('app', [irsaStatement(c, 'StringLike', ['system:serviceaccount:team-a:*-*', 'system:serviceaccount:*:cron-*'])]);
    const ctx = buildContext(inventory([c], [r]));
    const universe = universeFor(ctx, [r.trustPolicy], [identityOf(c, 'team-a', 'api-gw')]).map((id) => `${id.namespace}/${id.serviceAccount}`);
    expect(universe).toEqual(expect.arrayContaining(['team-a/api-gw', 'team-a/worker', 'team-b/cron-job', 'irsa2pi-unmentioned/irsa2pi-unmentioned']));
    expect(universe).not.toContain('team-c/batch');
  });

  it('a scanned service account with its own audience is evaluated with it, never replaced by a default-audience stand-in', () => {
    const c = cluster('c1', [{ ...serviceAccount('a', 'app'), audience: 'custom' }]);
    const hp = c.issuerHostPath!;
    const allow = {
      Effect: 'Allow' as const,
      Principal: { Federated: providerArn(c) },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${hp}:sub`]: 'system:serviceaccount:a:app', [`${hp}:aud`]: 'custom' } },
    };
    const deny = {
      Effect: 'Deny' as const,
      Principal: { Federated: providerArn(c) },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${hp}:aud`]: 'custom' } },
    };
    const current = { Version: '2012-10-17', Statement: [allow] };
    const transition = { Version: '2012-10-17', Statement: [allow, deny] };
    const ctx = buildContext(inventory([c], []));
    const oracle = new TrustOracle(ctx);
    const universe = universeFor(ctx, [current, transition], []);
    expect(universe.filter((id) => id.clusterName === 'c1' && id.namespace === 'a' && id.serviceAccount === 'app').map((id) => id.audience)).toEqual([
      'custom',
    ]);
    const result = checkRewrite({ current, transition, final: transition }, [], universe, {
      irsa: (d, id) => oracle.irsa(d, c.accountId, id).decision,
      podIdentity: () => 'no',
    });
    expect(result.differences.map((d) => `${d.phase} ${d.mechanism} ${d.identity}`)).toContain('transition irsa c1/a/app');
  });

  it('a pattern is matched without regard to case past its literal ASCII prefix: a service account it matches is evaluated itself', () => {
    const c = cluster('prod', [serviceAccount('\u03d0x', 'app'), serviceAccount('team-a', 'api'), serviceAccount('other', 'svc')]);
    const hp = c.issuerHostPath!;
    const trust = (pattern: string) => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Principal: { Federated: providerArn(c) },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringLike: { [`${hp}:sub`]: pattern } },
        },
      ],
    });
    const ctx = buildContext(inventory([c], []));
    const scanned = (pattern: string) =>
      universeFor(ctx, [trust(pattern)], [])
        .map((id) => `${id.namespace}/${id.serviceAccount}`)
        .filter((s) => !s.includes('irsa2pi'));
    expect(scanned('system:serviceaccount:\u0392*')).toEqual(['\u03d0x/app']);
    expect(scanned('system:serviceaccount:TEAM-?:*')).toContain('team-a/api');
    expect(scanned('system:serviceaccount:TEAM-?:*')).not.toContain('other/svc');
  });

  it('a pattern on the external ID picks out the service accounts it matches, found by its literal prefix', () => {
    const c = cluster('prod', [
      serviceAccount('team-a', 'api'),
      serviceAccount('team-a', 'worker'),
      serviceAccount('team-b', 'api'),
      serviceAccount('other', 'svc'),
    ]);
    const chained = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/chain` },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'sts:ExternalId': `${c.region}/${ACCOUNT}/prod/team-a*/*` } },
        },
      ],
    };
    const scanned = universeFor(buildContext(inventory([c], [])), [chained], [])
      .filter((id) => id.clusterName === 'prod' && !id.namespace.includes('irsa2pi') && !id.serviceAccount.includes('irsa2pi'))
      .map((id) => `${id.namespace}/${id.serviceAccount}`);
    expect(scanned).toEqual(expect.arrayContaining(['team-a/api', 'team-a/worker']));
    expect(scanned).not.toContain('team-b/api');
    expect(scanned).not.toContain('other/svc');
  });

  it('same-named service accounts are evaluated in the order the trust names their namespaces, however they are looked up', () => {
    const c = cluster('prod', [serviceAccount('a', 'app', R), serviceAccount('b', 'app', R), serviceAccount('c', 'app', R)]);
    const r = role('app', [irsaStatement(c, 'StringEquals', ['system:serviceaccount:b:app', 'system:serviceaccount:a:app'])]);
    const ctx = buildContext(inventory([c], [r]));
    const scanned = universeFor(ctx, [r.trustPolicy], [])
      .filter((id) => id.clusterName === 'prod')
      .map((id) => `${id.namespace}/${id.serviceAccount}`)
      .filter((s) => s.endsWith('/app') && !s.includes('irsa2pi'));
    expect(scanned).toEqual(['b/app', 'a/app']);
  });

  it('clusters a trust names only by cluster name or matches by an ARN pattern are enumerated', () => {
    const c1 = cluster('c1', [serviceAccount('a', 'app')]);
    const c2 = cluster('c2', [serviceAccount('a', 'app')]);
    const c3 = cluster('c3', [serviceAccount('a', 'app')]);
    const pi = (condition: Record<string, Record<string, string>>) => ({
      Effect: 'Allow' as const,
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: condition,
    });
    const byName = {
      Version: '2012-10-17',
      Statement: [pi({ StringEquals: { 'aws:RequestTag/eks-cluster-name': 'c2', 'aws:RequestTag/kubernetes-namespace': 'a' } })],
    };
    const byPattern = { Version: '2012-10-17', Statement: [pi({ StringLike: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:*:*:cluster/c3*' } })] };
    const ctx = buildContext(inventory([c1, c2, c3], []));
    const clustersOf = (doc: typeof byName) => [...new Set(universeFor(ctx, [doc], []).map((id) => id.clusterName))].sort();
    expect(clustersOf(byName)).toContain('c2');
    expect(clustersOf(byPattern)).toContain('c3');
  });

  it('ArnLike matches each ARN part on its own', () => {
    const c = cluster('prod');
    const ctx = irsaRequest(identityOf(c, 'a', 'b'), '111122223333').context;
    const withArn = { ...ctx, values: new Map([...ctx.values, ['aws:principalarn', ['arn:aws:iam::111122223333:role/x']]]) };
    const clause = (values: string[]) => ({
      operatorAsWritten: 'ArnLike',
      ...splitOperator('ArnLike'),
      key: 'aws:PrincipalArn',
      lowerKey: 'aws:principalarn',
      values,
    });
    expect(evaluateClause(clause(['arn:aws:iam::*:role/x']), withArn)).toBe('yes');
    expect(evaluateClause(clause(['arn:aws:iam::*:role/y']), withArn)).toBe('no');
    expect(evaluateClause(clause(['arn:aws:iam::111122223333:role/*']), withArn)).toBe('yes');
    expect(evaluateClause(clause(['arn:aws:iam::444455556666:*']), withArn)).toBe('no');
  });

  it('a rewrite the check finds not equivalent is never planned: the role keeps its trust and its identities are skipped', () => {
    const c = cluster('c1', [serviceAccount('team-a', 'x', R), serviceAccount('team-b', 'x', R)]);
    const podIdentity = { Service: 'pods.eks.amazonaws.com' };
    const r = role('app', [
      irsaStatement(c, 'StringEquals', ['system:serviceaccount:team-a:x', 'system:serviceaccount:team-b:x']),
      { Effect: 'Allow', Principal: podIdentity, Action: ['sts:AssumeRole', 'sts:TagSession'] },
      { Effect: 'Deny', Principal: podIdentity, Action: 'sts:AssumeRole', Condition: { StringNotEquals: { 'aws:RequestTag/kubernetes-namespace': 'team-a' } } },
    ]);
    const p = plan(inventory([c], [r]), { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.namespace, a.status, a.reasons])).toEqual([
      ['team-a', 'skipped', ['rewrite-not-equivalent']],
      ['team-b', 'skipped', ['rewrite-not-equivalent']],
    ]);
    const planned = p.roles.find((x) => x.arn === R)!;
    expect([planned.changed, planned.equivalent]).toEqual([false, false]);
    expect(planned.trustPolicy.final).toBe(r.trustPolicy);
    expect(planned.equivalence.differences.map((d) => `${d.phase} ${d.mechanism} ${d.identity}`)).toContain('transition pod-identity c1/team-b/x');
    expect(p.findings.filter((f) => f.rule === 'rewrite-not-equivalent' && f.roleArn === R && !f.namespace)).toHaveLength(1);
    expect(p.steps).toEqual([]);
  });

  it("only the add-on's own service accounts move through the add-on; another sharing its role gets an association of its own", () => {
    const cni = 'arn:aws:iam::111122223333:role/cni';
    const plain = cluster('c1', [serviceAccount('kube-system', 'aws-node', cni), serviceAccount('apps', 'foo', cni)]);
    const custom = cluster('c2', [serviceAccount('kube-system', 'aws-node', cni), serviceAccount('net', 'aws-node', cni)]);
    const subjects = ['system:serviceaccount:kube-system:aws-node', 'system:serviceaccount:apps:foo', 'system:serviceaccount:net:aws-node'];
    const r = role('cni', [irsaStatement(plain, 'StringEquals', subjects), irsaStatement(custom, 'StringEquals', subjects)]);
    const addon = (c: typeof plain, namespace: string | undefined) => ({
      name: 'vpc-cni',
      clusterName: c.name,
      clusterArn: c.arn,
      version: 'v1.18.0',
      serviceAccountRoleArn: cni,
      namespace,
      podIdentityAssociations: [],
      source: 'builder',
    });
    const p = plan({ ...inventory([plain, custom], [r]), addons: [addon(plain, undefined), addon(custom, 'net')] }, { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.cluster, a.namespace, a.serviceAccount, a.status, a.via])).toEqual([
      ['c1', 'kube-system', 'aws-node', 'create', 'addon'],
      ['c1', 'apps', 'foo', 'create', 'association'],
      ['c2', 'kube-system', 'aws-node', 'create', 'association'],
      ['c2', 'net', 'aws-node', 'create', 'addon'],
    ]);
    const updates = p.steps
      .filter((st) => st.action === 'update-addon')
      .map((st) => [st.cluster, st.podIdentityAssociations.map((a) => `${a.namespace}/${a.serviceAccount}`)]);
    expect(updates).toEqual([
      ['c1', ['kube-system/aws-node']],
      ['c2', ['net/aws-node']],
    ]);
  });

  it('a service account carrying the role of an add-on whose namespace is unknown is skipped, never routed by a guess', () => {
    const role_ = 'arn:aws:iam::111122223333:role/acme';
    const unknown = cluster('c1', [serviceAccount('acme', 'agent', role_)]);
    const configured = cluster('c2', [serviceAccount('acme', 'agent', role_)]);
    const r = role('acme', [
      irsaStatement(unknown, 'StringEquals', ['system:serviceaccount:acme:agent']),
      irsaStatement(configured, 'StringEquals', ['system:serviceaccount:acme:agent']),
    ]);
    const addon = (c: typeof unknown, namespace: string | undefined) => ({
      name: 'acme-agent',
      clusterName: c.name,
      clusterArn: c.arn,
      version: 'v1',
      serviceAccountRoleArn: role_,
      namespace,
      podIdentityAssociations: [],
      source: 'builder',
    });
    const p = plan({ ...inventory([unknown, configured], [r]), addons: [addon(unknown, undefined), addon(configured, 'acme')] }, { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.cluster, a.status, a.via, a.reasons])).toEqual([
      ['c1', 'skipped', 'association', ['addon-owned-role']],
      ['c2', 'create', 'addon', ['addon-owned-role', 'addon-pod-identity-unknown']],
    ]);
    expect(p.findings.find((f) => f.cluster === 'c1')?.message).toContain('namespace irsa2pi cannot tell');
  });
});

describe('the chaining role for a role of another account', () => {
  const OTHER = '444455556666';
  const TARGET = `arn:aws:iam::${OTHER}:role/data`;
  const CHAIN = chainRoleArnFor(ACCOUNT, TARGET);
  const CHAIN_NAME = CHAIN.slice(CHAIN.lastIndexOf('/') + 1);
  const c = cluster('c1', [serviceAccount('team-a', 'x', TARGET), serviceAccount('team-a', 'y', TARGET), serviceAccount('team-b', 'z')]);
  const subjects = ['system:serviceaccount:team-a:x', 'system:serviceaccount:team-a:y'];
  const targetRole: Role = {
    ...role('data', [{ ...irsaStatement(c, 'StringEquals', subjects), Principal: { Federated: `arn:aws:iam::${OTHER}:oidc-provider/${c.issuerHostPath}` } }]),
    arn: TARGET,
    accountId: OTHER,
  };
  const unrelated = role('unrelated', [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);

  function world(extra: Role[] = [], clusterAccountScanned = true): Inventory {
    const inv = inventory([c], [targetRole, ...(clusterAccountScanned ? [unrelated] : []), ...extra]);
    return {
      ...inv,
      oidcProviders: [...inv.oidcProviders, { arn: `arn:aws:iam::${OTHER}:oidc-provider/${c.issuerHostPath}`, accountId: OTHER, hostPath: c.issuerHostPath! }],
      accountsWithProviderList: [ACCOUNT, OTHER],
    };
  }

  /** A role at the chaining role's name, with the trust given and, by default, exactly the planned permissions. */
  function chainRole(statements: RawStatement[], over: Partial<Role> = {}): Role {
    return {
      ...role(CHAIN_NAME, statements),
      arn: CHAIN,
      path: '/irsa2pi/',
      inlinePolicies: [{ name: CHAIN_POLICY_NAME, document: chainPermissions(targetRole) }],
      ...over,
    };
  }

  const fresh = plan(world(), { generatedAt: 'x' });
  const createdTrust = fresh.roles.find((r) => r.arn === CHAIN)!.trustPolicy.transition;
  const statuses = (inv: Inventory) => plan(inv, { generatedAt: 'x' }).associations.map((a) => [a.serviceAccount, a.status, a.reasons]);

  it('is created when no role holds its name', () => {
    expect(fresh.associations.map((a) => a.status)).toEqual(['create', 'create']);
    expect(fresh.roles.find((r) => r.arn === CHAIN)?.kind).toBe('new');
    expect(fresh.steps.filter((s) => s.action === 'create-role').map((s) => s.roleArn)).toEqual([CHAIN]);
  });

  it('is adopted when the role at its name is exactly the one the plan would create, and planning again adds nothing', () => {
    const p = plan(world([chainRole(asStatements(createdTrust))]), { generatedAt: 'x' });
    expect(p.associations.map((a) => a.status)).toEqual(['create', 'create']);
    const chain = p.roles.find((r) => r.arn === CHAIN)!;
    expect([chain.kind, chain.changed, chain.equivalent]).toEqual(['existing', false, true]);
    expect(p.steps.filter((s) => s.action === 'create-role')).toEqual([]);
    expect(p.findings.map((f) => f.rule)).not.toContain('chain-role-conflict');
  });

  it('is adopted and extended when its trust admits a part of the identities that chain through it', () => {
    const onlyX = plan(world([], true), { generatedAt: 'x' });
    const partial = asStatements(onlyX.roles.find((r) => r.arn === CHAIN)!.trustPolicy.transition).map((st) => ({
      ...st,
      Condition: { StringEquals: { ...(st.Condition!.StringEquals as object), 'aws:RequestTag/kubernetes-service-account': 'x' } },
    }));
    const p = plan(world([chainRole(partial)]), { generatedAt: 'x' });
    expect(p.associations.map((a) => a.status)).toEqual(['create', 'create']);
    const chain = p.roles.find((r) => r.arn === CHAIN)!;
    expect([chain.kind, chain.changed, chain.equivalent]).toEqual(['existing', true, true]);
    for (const sa of ['x', 'y']) expect(podIdentityAdmits(p, world(), { roleArn: TARGET, cluster: 'c1', namespace: 'team-a', serviceAccount: sa })).toBe(true);
    expect(podIdentityAdmits(p, world(), { roleArn: TARGET, cluster: 'c1', namespace: 'team-b', serviceAccount: 'z' })).toBe(false);
  });

  it('is a conflict when the role at its name also trusts another account: its identities are not migrated and nothing reaches the target', () => {
    const foreign = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' } as RawStatement;
    const p = plan(world([chainRole([...asStatements(createdTrust), foreign])]), { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.serviceAccount, a.status, a.reasons])).toEqual([
      ['x', 'conflict', ['cross-account-role', 'chain-role-conflict']],
      ['y', 'conflict', ['cross-account-role', 'chain-role-conflict']],
    ]);
    expect(p.findings.find((f) => f.rule === 'chain-role-conflict' && f.roleArn === CHAIN)?.message).toContain('arn:aws:iam::999988887777:root');
    expect(p.roles.find((r) => r.arn === CHAIN)).toBeUndefined();
    const target = p.roles.find((r) => r.arn === TARGET)!;
    expect(target.trustPolicy.transition).toBe(targetRole.trustPolicy);
    expect(p.steps).toEqual([]);
  });

  it.each<[string, () => Role]>([
    [
      'a conditioned trust of another account (the caller picks the external ID)',
      () =>
        chainRole([
          ...asStatements(createdTrust),
          {
            Effect: 'Allow',
            Principal: { AWS: '999988887777' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'x' } },
          },
        ]),
    ],
    [
      'Principal "*"',
      () =>
        chainRole([
          ...asStatements(createdTrust),
          { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } },
        ]),
    ],
    [
      'another service',
      () => chainRole([...asStatements(createdTrust), { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
    ],
    [
      'an unscoped Pod Identity statement',
      () => chainRole([{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]),
    ],
    [
      'a Pod Identity statement for another namespace',
      () =>
        chainRole([
          ...asStatements(createdTrust),
          {
            Effect: 'Allow',
            Principal: { Service: 'pods.eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Condition: {
              StringEquals: {
                'aws:RequestTag/eks-cluster-arn': c.arn,
                'aws:RequestTag/kubernetes-namespace': 'team-b',
                'aws:RequestTag/kubernetes-service-account': 'z',
              },
            },
          },
        ]),
    ],
    ['a Deny on its identities', () => chainRole([{ Effect: 'Deny', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }])],
    [
      'an attached policy',
      () => chainRole(asStatements(createdTrust), { attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] }),
    ],
    [
      'another inline policy',
      () =>
        chainRole(asStatements(createdTrust), {
          inlinePolicies: [
            { name: CHAIN_POLICY_NAME, document: chainPermissions(targetRole) },
            { name: 'extra', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } },
          ],
        }),
    ],
    [
      'a wider chaining permission',
      () =>
        chainRole(asStatements(createdTrust), {
          inlinePolicies: [
            { name: CHAIN_POLICY_NAME, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } },
          ],
        }),
    ],
    ['no permissions in the evidence', () => chainRole(asStatements(createdTrust), { inlinePolicies: [] })],
    ['a permissions boundary', () => chainRole(asStatements(createdTrust), { permissionsBoundaryArn: 'arn:aws:iam::aws:policy/PowerUserAccess' })],
    ['its name at another path', () => ({ ...chainRole(asStatements(createdTrust)), arn: `arn:aws:iam::${ACCOUNT}:role/${CHAIN_NAME}`, path: '/' })],
    [
      'its name in other case',
      () => ({ ...chainRole(asStatements(createdTrust)), arn: CHAIN.replace(CHAIN_NAME, CHAIN_NAME.toUpperCase()), name: CHAIN_NAME.toUpperCase() }),
    ],
  ])('is a conflict when the role at its name has %s', (_, make) => {
    expect(statuses(world([make()]))).toEqual([
      ['x', 'conflict', ['cross-account-role', 'chain-role-conflict']],
      ['y', 'conflict', ['cross-account-role', 'chain-role-conflict']],
    ]);
  });

  it('is a conflict when a service account is annotated with the role at its name: that role is rewritten for it alone, and nothing chains through it', () => {
    const squatterSubject = 'system:serviceaccount:team-b:z';
    const squatter = chainRole([...asStatements(createdTrust), irsaStatement(c, 'StringEquals', [squatterSubject])]);
    const annotated = cluster('c1', [serviceAccount('team-a', 'x', TARGET), serviceAccount('team-a', 'y', TARGET), serviceAccount('team-b', 'z', CHAIN)]);
    const inv = { ...world([squatter]), clusters: [annotated] };
    const p = plan(inv, { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.serviceAccount, a.status])).toEqual([
      ['x', 'conflict'],
      ['y', 'conflict'],
      ['z', 'create'],
    ]);
    expect(p.roles.filter((r) => r.arn === CHAIN)).toHaveLength(1);
    expect(p.roles.find((r) => r.arn === CHAIN)?.chainsTo).toBeNull();
    expect(p.roles.find((r) => r.arn === TARGET)?.changed).toBe(false);
    expect(podIdentityAdmits(p, inv, { roleArn: CHAIN, cluster: 'c1', namespace: 'team-b', serviceAccount: 'z' })).toBe(true);
    for (const sa of ['x', 'y']) expect(podIdentityAdmits(p, inv, { roleArn: TARGET, cluster: 'c1', namespace: 'team-a', serviceAccount: sa })).toBe(false);
    expect(p.steps.filter((s) => s.action === 'create-association').map((s) => [s.serviceAccount, s.roleArn, s.targetRoleArn])).toEqual([
      ['z', CHAIN, undefined],
    ]);
  });

  it("is not planned when the cluster account's roles are not in the evidence: whether its name is taken cannot be told", () => {
    expect(statuses(world([], false))).toEqual([
      ['x', 'skipped', ['cross-account-role', 'role-not-scanned']],
      ['y', 'skipped', ['cross-account-role', 'role-not-scanned']],
    ]);
  });
});

function asStatements(doc: { Statement: unknown }): RawStatement[] {
  return [...(doc.Statement as RawStatement[])];
}

describe('a shared role whose rewritten trust grows past what IAM holds', () => {
  const SHARED = `arn:aws:iam::${ACCOUNT}:role/shared`;
  /** `k` service accounts on the shared role, one per namespace (no two share a statement), in each cluster given. */
  function sharedWorld(k: number, clusters = ['c1']): Inventory {
    const pairs = Array.from({ length: k }, (_, i) => [`team-${i + 1}`, `app-${i + 1}`] as const);
    const cs = clusters.map((name) =>
      cluster(name, [...pairs.map(([n, s]) => serviceAccount(n, s, SHARED)), serviceAccount('team-1', 'intruder'), serviceAccount('other', 'app-1')]),
    );
    const subjects = pairs.map(([n, s]) => `system:serviceaccount:${n}:${s}`);
    return inventory(cs, [
      role(
        'shared',
        cs.map((c) => irsaStatement(c, 'StringEquals', subjects)),
      ),
    ]);
  }
  const shared = (p: ReturnType<typeof plan>) => p.roles.find((r) => r.arn === SHARED)!;
  const admits = (p: ReturnType<typeof plan>, inv: Inventory, c: string, ns: string, sa: string) =>
    podIdentityAdmits(p, inv, { roleArn: SHARED, cluster: c, namespace: ns, serviceAccount: sa });
  /** IAM's size of a policy: its JSON with whitespace outside strings removed. */
  const iamSize = (doc: unknown) => JSON.stringify(doc).length;

  it('under the limit, the rewrite is as before: one statement per namespace, with Sids', () => {
    const inv = sharedWorld(4);
    const p = plan(inv, { generatedAt: 'x' });
    expect(p.associations.filter((a) => a.serviceAccount.startsWith('app')).map((a) => a.status)).toEqual(['create', 'create', 'create', 'create']);
    const added = asStatements(shared(p).trustPolicy.transition).slice(1);
    expect(added).toHaveLength(4);
    for (const st of added) expect(st.Sid).toMatch(/^Irsa2piPodIdentity/);
    expect(p.findings.map((f) => f.rule)).not.toContain('trust-policy-too-large');
  });

  it('over the limit, the added statements are compacted, proven, and admit exactly the migrated identities', () => {
    const inv = sharedWorld(5);
    const plain = plan(inv, { generatedAt: 'x', trustPolicyLimit: 4096 });
    const size = shared(plain).trustSize.transition;
    const p = plan(inv, { generatedAt: 'x', trustPolicyLimit: size - 1 });
    const r = shared(p);
    expect(p.associations.filter((a) => a.serviceAccount.startsWith('app')).map((a) => a.status)).toEqual(['create', 'create', 'create', 'create', 'create']);
    expect([r.equivalent, r.changed]).toEqual([true, true]);
    expect(r.trustSize.transition).toBeLessThan(size);
    expect(iamSize(r.trustPolicy.transition)).toBe(r.trustSize.transition);
    for (const st of asStatements(r.trustPolicy.transition).slice(1)) expect(st.Sid).toBeUndefined();
    for (let i = 1; i <= 5; i++) expect(admits(p, inv, 'c1', `team-${i}`, `app-${i}`)).toBe(true);
    for (const [ns, sa] of [
      ['team-1', 'app-2'],
      ['team-2', 'app-1'],
      ['team-1', 'intruder'],
      ['other', 'app-1'],
    ])
      expect(admits(p, inv, 'c1', ns!, sa!)).toBe(false);
    expect(admits(p, inv, 'c9', 'team-1', 'app-1')).toBe(false);
    expect(p.findings.map((f) => f.rule)).not.toContain('trust-policy-too-large');
  });

  it('in two clusters, one service account shares a compacted statement across them, and no cross pair is admitted', () => {
    const inv = sharedWorld(3, ['c1', 'c2']);
    const p = plan(inv, { generatedAt: 'x', trustPolicyLimit: 2048 });
    const r = shared(p);
    expect(p.associations.filter((a) => a.serviceAccount.startsWith('app')).every((a) => a.status === 'create')).toBe(true);
    const added = asStatements(r.trustPolicy.transition).slice(2);
    expect(added).toHaveLength(3);
    for (const st of added) expect(((st.Condition!.StringEquals as Record<string, unknown>)['aws:RequestTag/eks-cluster-arn'] as string[]).length).toBe(2);
    for (const c of ['c1', 'c2']) {
      for (let i = 1; i <= 3; i++) expect(admits(p, inv, c, `team-${i}`, `app-${i}`)).toBe(true);
      expect(admits(p, inv, c, 'team-1', 'app-2')).toBe(false);
      expect(admits(p, inv, c, 'team-1', 'intruder')).toBe(false);
    }
  });

  it('when even compacted it cannot fit, the identities that do not fit are blocked with the size and the alternatives, and no step serves them', () => {
    const inv = sharedWorld(14);
    const p = plan(inv, { generatedAt: 'x' });
    const r = shared(p);
    const ours = p.associations.filter((a) => a.serviceAccount.startsWith('app'));
    const created = ours.filter((a) => a.status === 'create');
    const blocked = ours.filter((a) => a.status === 'blocked');
    expect(created.length).toBeGreaterThan(0);
    expect(created.length + blocked.length).toBe(14);
    for (const a of blocked) expect(a.reasons).toContain('trust-policy-too-large');
    expect(Math.max(r.trustSize.transition, r.trustSize.final)).toBeLessThanOrEqual(2048);
    expect(r.equivalent).toBe(true);
    for (const a of created) expect(admits(p, inv, 'c1', a.namespace, a.serviceAccount)).toBe(true);
    for (const a of blocked) expect(admits(p, inv, 'c1', a.namespace, a.serviceAccount)).toBe(false);
    const irsaAdmits = (phase: 'transition' | 'final', ns: string, sa: string) =>
      evaluateTrust(normalizeStatements(r.trustPolicy[phase]), irsaRequest(identityOf(inv.clusters[0]!, ns, sa), ACCOUNT)).decision === 'yes';
    for (const a of blocked)
      expect([irsaAdmits('transition', a.namespace, a.serviceAccount), irsaAdmits('final', a.namespace, a.serviceAccount)]).toEqual([true, true]);
    for (const a of created) expect(irsaAdmits('final', a.namespace, a.serviceAccount)).toBe(false);
    const blockedKeys = new Set(blocked.map((a) => `${a.namespace}/${a.serviceAccount}`));
    expect(p.steps.filter((s) => 'namespace' in s && blockedKeys.has(`${s.namespace}/${s.serviceAccount}`))).toEqual([]);
    const finding = p.findings.find((f) => f.rule === 'trust-policy-too-large' && !f.namespace)!;
    expect(finding.message).toMatch(/would have \d+ characters even compacted, over the limit of 2048/);
    expect(finding.message).toContain(`${blocked.length} of 14 identities are not migrated`);
    expect(finding.message).toContain('roles of their own');
    expect(finding.message).not.toContain('--trust-policy-limit');
  });

  it('a raised quota, given or shown by a larger trust in the account, lets more identities fit; never beyond 4,096', () => {
    const inv = sharedWorld(9);
    const count = (p: ReturnType<typeof plan>) => p.associations.filter((a) => a.serviceAccount.startsWith('app') && a.status === 'create').length;
    const atDefault = plan(inv, { generatedAt: 'x' });
    const raised = plan(inv, { generatedAt: 'x', trustPolicyLimit: 4096 });
    expect(count(atDefault)).toBeLessThan(9);
    expect(count(raised)).toBe(9);
    expect(atDefault.findings.find((f) => f.rule === 'trust-policy-too-large' && !f.namespace)?.message).toContain('--trust-policy-limit');
    const big = role(
      'big',
      Array.from({ length: 20 }, (_, i) => ({
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/caller-${i}-${'x'.repeat(60)}` },
        Action: 'sts:AssumeRole',
      })),
    );
    expect(iamSize(big.trustPolicy)).toBeGreaterThan(2048);
    const shown = plan({ ...inv, roles: [...inv.roles, big] }, { generatedAt: 'x' });
    expect(count(shown)).toBeGreaterThan(count(atDefault));
    expect(Math.max(shared(shown).trustSize.transition, shared(shown).trustSize.final)).toBeLessThanOrEqual(iamSize(big.trustPolicy));
    expect(() => plan(inv, { generatedAt: 'x', trustPolicyLimit: 4097 })).toThrow(RangeError);
  });

  it('a trust the plan does not change is never over the limit, however it measures: only its final removal is planned', () => {
    const c = cluster('c1', [serviceAccount('team-1', 'app-1', SHARED), serviceAccount('team-2', 'app-2', SHARED)]);
    const ids = [identityOf(c, 'team-1', 'app-1'), identityOf(c, 'team-2', 'app-2')];
    const padded = {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/caller` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': `a${' '.repeat(3000)}b` } },
    } as RawStatement;
    const inv = inventory(
      [c],
      [
        role('shared', [
          irsaStatement(c, 'StringEquals', ['system:serviceaccount:team-1:app-1', 'system:serviceaccount:team-2:app-2']),
          padded,
          ...podIdentityStatements(ids, new Set()),
        ]),
      ],
    );
    const p = plan(inv, { generatedAt: 'x' });
    expect(p.associations.map((a) => a.status)).toEqual(['create', 'create']);
    expect(p.findings.map((f) => f.rule)).not.toContain('trust-policy-too-large');
    const r = shared(p);
    expect(r.trustPolicy.transition).toBe(r.trustPolicy.current);
    expect(r.trustSize.final).toBeLessThan(r.trustSize.current);
  });

  it('whitespace inside the strings of a large trust does not count as evidence of a raised quota', () => {
    const inv = sharedWorld(9);
    const count = (p: ReturnType<typeof plan>) => p.associations.filter((a) => a.serviceAccount.startsWith('app') && a.status === 'create').length;
    const spaced = role('spaced', [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/caller` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': `a${' '.repeat(4000)}b` } },
      },
    ]);
    expect(iamSize(spaced.trustPolicy)).toBeGreaterThan(2048);
    expect(count(plan({ ...inv, roles: [...inv.roles, spaced] }, { generatedAt: 'x' }))).toBe(count(plan(inv, { generatedAt: 'x' })));
  });

  it('one identity too large to fit blocks only itself, never the identities after it', () => {
    const long = 'x'.repeat(240);
    const c = cluster('c1', [serviceAccount('aaa', long, SHARED), ...['a', 'b', 'c'].map((sa) => serviceAccount('team', sa, SHARED))]);
    const inv = inventory(
      [c],
      [
        role('shared', [
          irsaStatement(c, 'StringEquals', [`system:serviceaccount:aaa:${long}`, ...['a', 'b', 'c'].map((sa) => `system:serviceaccount:team:${sa}`)]),
        ]),
      ],
    );
    const current = inv.roles[0]!.trustPolicy;
    const teamIds = ['a', 'b', 'c'].map((sa) => identityOf(c, 'team', sa));
    const limit = iamSize(withStatements(current, podIdentityStatements(teamIds, new Set(), { compact: true })));
    expect(iamSize(withStatements(current, podIdentityStatements([identityOf(c, 'aaa', long)], new Set(), { compact: true })))).toBeGreaterThan(limit);
    const p = plan(inv, { generatedAt: 'x', trustPolicyLimit: limit });
    expect(p.associations.map((a) => [a.namespace, a.serviceAccount.slice(0, 3), a.status])).toEqual([
      ['aaa', 'xxx', 'blocked'],
      ['team', 'a', 'create'],
      ['team', 'b', 'create'],
      ['team', 'c', 'create'],
    ]);
    expect(admits(p, inv, 'c1', 'aaa', long)).toBe(false);
    for (const sa of ['a', 'b', 'c']) expect(admits(p, inv, 'c1', 'team', sa)).toBe(true);
    expect(admits(p, inv, 'c1', 'team', 'd')).toBe(false);
  });

  it('a cross-account target whose chaining statement cannot fit blocks those identities: neither the chaining role nor the target admits them', () => {
    const OTHER = '444455556666';
    const TARGET = `arn:aws:iam::${OTHER}:role/data`;
    const sas = Array.from({ length: 30 }, (_, i) => serviceAccount(`tenant-${String(i).padStart(2, '0')}`, 'reader', TARGET));
    const c = cluster('c1', sas);
    const subjects = sas.map((s) => `system:serviceaccount:${s.namespace}:reader`);
    const target: Role = {
      ...role('data', [{ ...irsaStatement(c, 'StringEquals', subjects), Principal: { Federated: `arn:aws:iam::${OTHER}:oidc-provider/${c.issuerHostPath}` } }]),
      arn: TARGET,
      accountId: OTHER,
    };
    const base = inventory([c], [target, role('unrelated', [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }])]);
    const inv: Inventory = {
      ...base,
      oidcProviders: [...base.oidcProviders, { arn: `arn:aws:iam::${OTHER}:oidc-provider/${c.issuerHostPath}`, accountId: OTHER, hostPath: c.issuerHostPath! }],
      accountsWithProviderList: [ACCOUNT, OTHER],
    };
    const p = plan(inv, { generatedAt: 'x' });
    const created = p.associations.filter((a) => a.status === 'create');
    const blocked = p.associations.filter((a) => a.status === 'blocked');
    expect(created.length).toBeGreaterThan(0);
    expect(blocked.length).toBeGreaterThan(0);
    for (const r of p.roles) expect(Math.max(r.trustSize.transition, r.trustSize.final)).toBeLessThanOrEqual(2048);
    for (const a of created) expect(podIdentityAdmits(p, inv, { roleArn: TARGET, cluster: 'c1', namespace: a.namespace, serviceAccount: 'reader' })).toBe(true);
    for (const a of blocked)
      expect(podIdentityAdmits(p, inv, { roleArn: TARGET, cluster: 'c1', namespace: a.namespace, serviceAccount: 'reader' })).toBe(false);
    expect(p.steps.filter((s) => s.action === 'create-association').length).toBe(created.length);
  });
});
