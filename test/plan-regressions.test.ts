import { describe, expect, it } from 'vitest';
import { evaluateClause } from '../src/iam/evaluate.js';
import { splitOperator } from '../src/iam/policy.js';
import { irsaRequest } from '../src/iam/requests.js';
import { buildContext, identityOf } from '../src/plan/context.js';
import { checkRewrite, sameStatementsFor, universeFor } from '../src/plan/equivalence.js';
import { chainRoleArnFor } from '../src/plan/identities.js';
import { TrustOracle } from '../src/plan/oracle.js';
import { plan } from '../src/plan/plan.js';
import { podIdentityStatements, withStatements } from '../src/plan/trust-rewrite.js';
import { ACCOUNT, cluster, inventory, irsaStatement, providerArn, role, serviceAccount } from './support/builders.js';

const R = 'arn:aws:iam::111122223333:role/app';

describe('regressions found in review', () => {
  it('an escaped ${*} in StringLike is a literal star, never a wildcard: nothing is migrated', () => {
    const c = cluster('prod', [serviceAccount('team-a', 'api', R), serviceAccount('team-a', 'worker', R)]);
    const r = role('app', [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn(c) },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${c.issuerHostPath}:sub`]: 'system:serviceaccount:team-a:${*}' }, StringEquals: { [`${c.issuerHostPath}:aud`]: 'sts.amazonaws.com' } },
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
    const c = cluster('prod', [serviceAccount('team-a', 'api-gw', R), serviceAccount('team-a', 'worker'), serviceAccount('team-b', 'cron-job'), serviceAccount('team-c', 'batch')]);
    const r = role('app', [irsaStatement(c, 'StringLike', ['system:serviceaccount:team-a:*-*', 'system:serviceaccount:*:cron-*'])]);
    const ctx = buildContext(inventory([c], [r]));
    const universe = universeFor(ctx, [r.trustPolicy], [identityOf(c, 'team-a', 'api-gw')]).map((id) => `${id.namespace}/${id.serviceAccount}`);
    expect(universe).toEqual(expect.arrayContaining(['team-a/api-gw', 'team-a/worker', 'team-b/cron-job', 'irsa2pi-unmentioned/irsa2pi-unmentioned']));
    expect(universe).not.toContain('team-c/batch');
  });

  it('a scanned service account with its own audience is evaluated with it, never replaced by a default-audience stand-in', () => {
    const c = cluster('c1', [{ ...serviceAccount('a', 'app'), audience: 'custom' }]);
    const hp = c.issuerHostPath!;
    const allow = { Effect: 'Allow' as const, Principal: { Federated: providerArn(c) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${hp}:sub`]: 'system:serviceaccount:a:app', [`${hp}:aud`]: 'custom' } } };
    const deny = { Effect: 'Deny' as const, Principal: { Federated: providerArn(c) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${hp}:aud`]: 'custom' } } };
    const current = { Version: '2012-10-17', Statement: [allow] };
    const transition = { Version: '2012-10-17', Statement: [allow, deny] };
    const ctx = buildContext(inventory([c], []));
    const oracle = new TrustOracle(ctx);
    const universe = universeFor(ctx, [current, transition], []);
    expect(universe.filter((id) => id.clusterName === 'c1' && id.namespace === 'a' && id.serviceAccount === 'app').map((id) => id.audience)).toEqual(['custom']);
    const result = checkRewrite({ current, transition, final: transition }, [], universe, {
      irsa: (d, id) => oracle.irsa(d, c.accountId, id).decision,
      podIdentity: () => 'no',
    });
    expect(result.differences.map((d) => `${d.phase} ${d.mechanism} ${d.identity}`)).toContain('transition irsa c1/a/app');
  });

  it('a pattern is matched without regard to case past its literal ASCII prefix: a service account it matches is evaluated itself', () => {
    const c = cluster('prod', [serviceAccount('\u03d0x', 'app'), serviceAccount('team-a', 'api'), serviceAccount('other', 'svc')]);
    const hp = c.issuerHostPath!;
    const trust = (pattern: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Principal: { Federated: providerArn(c) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${hp}:sub`]: pattern } } }] });
    const ctx = buildContext(inventory([c], []));
    const scanned = (pattern: string) => universeFor(ctx, [trust(pattern)], []).map((id) => `${id.namespace}/${id.serviceAccount}`).filter((s) => !s.includes('irsa2pi'));
    expect(scanned('system:serviceaccount:\u0392*')).toEqual(['\u03d0x/app']);
    expect(scanned('system:serviceaccount:TEAM-?:*')).toContain('team-a/api');
    expect(scanned('system:serviceaccount:TEAM-?:*')).not.toContain('other/svc');
  });

  it('a pattern on the external ID picks out the service accounts it matches, found by its literal prefix', () => {
    const c = cluster('prod', [serviceAccount('team-a', 'api'), serviceAccount('team-a', 'worker'), serviceAccount('team-b', 'api'), serviceAccount('other', 'svc')]);
    const chained = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/chain` }, Action: 'sts:AssumeRole', Condition: { StringLike: { 'sts:ExternalId': `${c.region}/${ACCOUNT}/prod/team-a*/*` } } }],
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
    const pi = (condition: Record<string, Record<string, string>>) => ({ Effect: 'Allow' as const, Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: condition });
    const byName = { Version: '2012-10-17', Statement: [pi({ StringEquals: { 'aws:RequestTag/eks-cluster-name': 'c2', 'aws:RequestTag/kubernetes-namespace': 'a' } })] };
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
    const clause = (values: string[]) => ({ operatorAsWritten: 'ArnLike', ...splitOperator('ArnLike'), key: 'aws:PrincipalArn', lowerKey: 'aws:principalarn', values });
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

  it('a chaining role whose trust refuses its identities takes its target role down with it: no chaining role, no steps', () => {
    const target = 'arn:aws:iam::444455556666:role/data';
    const c = cluster('c1', [serviceAccount('team-a', 'x', target)]);
    const chainArn = chainRoleArnFor(ACCOUNT, target);
    const targetRole = { ...role('data', [{ ...irsaStatement(c, 'StringEquals', ['system:serviceaccount:team-a:x']), Principal: { Federated: `arn:aws:iam::444455556666:oidc-provider/${c.issuerHostPath}` } }]), arn: target, accountId: '444455556666' };
    const denying = { ...role('x', [{ Effect: 'Deny', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }]), arn: chainArn, name: chainArn.slice(chainArn.lastIndexOf('/') + 1), path: '/irsa2pi/' };
    const inv = inventory([c], [targetRole, denying]);
    const withProvider = { ...inv, oidcProviders: [...inv.oidcProviders, { arn: `arn:aws:iam::444455556666:oidc-provider/${c.issuerHostPath}`, accountId: '444455556666', hostPath: c.issuerHostPath! }], accountsWithProviderList: [ACCOUNT, '444455556666'] };
    const p = plan(withProvider, { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.namespace, a.status, a.reasons])).toEqual([['team-a', 'skipped', ['cross-account-role', 'rewrite-not-equivalent']]]);
    expect(p.roles.map((x) => [x.arn, x.changed, x.equivalent])).toEqual([[target, false, false]]);
    expect(p.findings.find((f) => f.rule === 'rewrite-not-equivalent' && !f.namespace)?.message).toContain('transition pod-identity c1/team-a/x: expected yes, got no');
    expect(p.steps).toEqual([]);
  });

  it("only the add-on's own service accounts move through the add-on; another sharing its role gets an association of its own", () => {
    const cni = 'arn:aws:iam::111122223333:role/cni';
    const plain = cluster('c1', [serviceAccount('kube-system', 'aws-node', cni), serviceAccount('apps', 'foo', cni)]);
    const custom = cluster('c2', [serviceAccount('kube-system', 'aws-node', cni), serviceAccount('net', 'aws-node', cni)]);
    const subjects = ['system:serviceaccount:kube-system:aws-node', 'system:serviceaccount:apps:foo', 'system:serviceaccount:net:aws-node'];
    const r = role('cni', [irsaStatement(plain, 'StringEquals', subjects), irsaStatement(custom, 'StringEquals', subjects)]);
    const addon = (c: typeof plain, namespace: string | undefined) => ({ name: 'vpc-cni', clusterName: c.name, clusterArn: c.arn, version: 'v1.18.0', serviceAccountRoleArn: cni, namespace, podIdentityAssociations: [], source: 'builder' });
    const p = plan({ ...inventory([plain, custom], [r]), addons: [addon(plain, undefined), addon(custom, 'net')] }, { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.cluster, a.namespace, a.serviceAccount, a.status, a.via])).toEqual([
      ['c1', 'kube-system', 'aws-node', 'create', 'addon'],
      ['c1', 'apps', 'foo', 'create', 'association'],
      ['c2', 'kube-system', 'aws-node', 'create', 'association'],
      ['c2', 'net', 'aws-node', 'create', 'addon'],
    ]);
    const updates = p.steps.filter((st) => st.action === 'update-addon').map((st) => [st.cluster, st.podIdentityAssociations?.map((a) => `${a.namespace}/${a.serviceAccount}`)]);
    expect(updates).toEqual([
      ['c1', ['kube-system/aws-node']],
      ['c2', ['net/aws-node']],
    ]);
  });

  it("a service account carrying the role of an add-on whose namespace is unknown is skipped, never routed by a guess", () => {
    const role_ = 'arn:aws:iam::111122223333:role/acme';
    const unknown = cluster('c1', [serviceAccount('acme', 'agent', role_)]);
    const configured = cluster('c2', [serviceAccount('acme', 'agent', role_)]);
    const r = role('acme', [irsaStatement(unknown, 'StringEquals', ['system:serviceaccount:acme:agent']), irsaStatement(configured, 'StringEquals', ['system:serviceaccount:acme:agent'])]);
    const addon = (c: typeof unknown, namespace: string | undefined) => ({ name: 'acme-agent', clusterName: c.name, clusterArn: c.arn, version: 'v1', serviceAccountRoleArn: role_, namespace, podIdentityAssociations: [], source: 'builder' });
    const p = plan({ ...inventory([unknown, configured], [r]), addons: [addon(unknown, undefined), addon(configured, 'acme')] }, { generatedAt: 'x' });
    expect(p.associations.map((a) => [a.cluster, a.status, a.via, a.reasons])).toEqual([
      ['c1', 'skipped', 'association', ['addon-owned-role']],
      ['c2', 'create', 'addon', ['addon-owned-role']],
    ]);
    expect(p.findings.find((f) => f.cluster === 'c1')?.message).toContain('namespace irsa2pi cannot tell');
  });
});
