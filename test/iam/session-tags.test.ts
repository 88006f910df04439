import { describe, expect, it } from 'vitest';
import { evaluateTrust, type AssumeRequest } from '../../src/iam/evaluate.js';
import { normalizeStatements, type PolicyDocument, type RawStatement } from '../../src/iam/policy.js';
import { chainRequest, externalIdOf, podIdentityRequest, type Identity } from '../../src/iam/requests.js';
import type { Cluster, Inventory, PodIdentityAssociation, Role } from '../../src/model/inventory.js';
import { chainRoleArnFor } from '../../src/plan/identities.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { RuleContext } from '../../src/rules/context.js';
import { podIdentityTagsDisabled } from '../../src/rules/pod-identity-tags-disabled.js';
import { associationOf, clusterOf, inventoryOf, roleOf, serviceAccount } from '../helpers/inventory.js';

const CLUSTER_ACCOUNT = '111122223333';
const TARGET_ACCOUNT = '222233334444';
const CLUSTER_ARN = `arn:aws:eks:us-east-1:${CLUSTER_ACCOUNT}:cluster/example-cluster`;
const PRIMARY = `arn:aws:iam::${CLUSTER_ACCOUNT}:role/eks-pod-identity-primary-role`;
const TARGET = `arn:aws:iam::${TARGET_ACCOUNT}:role/eks-pod-identity-aws-resources`;

const doc = (...statements: RawStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const decide = (d: PolicyDocument, req: AssumeRequest) => evaluateTrust(normalizeStatements(d), req).decision;

function identity(namespace = 'example-namespace', serviceAccount = 'example-service-account', over: Partial<Identity> = {}): Identity {
  return {
    clusterArn: CLUSTER_ARN,
    clusterName: 'example-cluster',
    accountId: CLUSTER_ACCOUNT,
    region: 'us-east-1',
    issuerHostPath: 'oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
    namespace,
    serviceAccount,
    audience: 'sts.amazonaws.com',
    ...over,
  };
}

/** The target-role trust of EKS's guide (`pod-id-assign-target-role.html`), session tags enabled. */
const GUIDE_TAGGED = doc({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${CLUSTER_ACCOUNT}:root` },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  Condition: {
    StringEquals: {
      'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN,
      'aws:RequestTag/kubernetes-namespace': 'example-namespace',
      'aws:RequestTag/kubernetes-service-account': 'example-service-account',
    },
    ArnEquals: { 'aws:PrincipalARN': PRIMARY },
  },
});

/** The guide's target-role trust for an association with session tags disabled: the external ID, and `sts:TagSession` on its own. */
const GUIDE_UNTAGGED = doc(
  {
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${CLUSTER_ACCOUNT}:root` },
    Action: 'sts:AssumeRole',
    Condition: {
      StringEquals: { 'sts:ExternalId': `us-east-1/${CLUSTER_ACCOUNT}/example-cluster/example-namespace/example-service-account` },
      ArnEquals: { 'aws:PrincipalARN': PRIMARY },
    },
  },
  { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CLUSTER_ACCOUNT}:root` }, Action: 'sts:TagSession' },
);

const podsTrust = (actions: string | string[], condition?: RawStatement['Condition']): PolicyDocument =>
  doc({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: actions, ...(condition ? { Condition: condition } : {}) });

describe('the chained request carries the transitive Pod Identity session tags', () => {
  it("admits the guide's identity through the guide's target trust", () => {
    expect(decide(GUIDE_TAGGED, chainRequest(identity(), PRIMARY))).toBe('yes');
  });

  it('refuses every neighbour: namespace, service account, cluster, cluster account, source role, partition', () => {
    const neighbours: [string, AssumeRequest][] = [
      ['other namespace', chainRequest(identity('other'), PRIMARY)],
      ['other service account', chainRequest(identity(undefined, 'other'), PRIMARY)],
      ['other cluster', chainRequest(identity(undefined, undefined, { clusterArn: CLUSTER_ARN.replace('example-cluster', 'c2'), clusterName: 'c2' }), PRIMARY)],
      [
        'same cluster name, other region',
        chainRequest(identity(undefined, undefined, { clusterArn: CLUSTER_ARN.replace('us-east-1', 'eu-west-1'), region: 'eu-west-1' }), PRIMARY),
      ],
      [
        'same cluster name in another account',
        chainRequest(identity(undefined, undefined, { clusterArn: CLUSTER_ARN.replace(CLUSTER_ACCOUNT, '999988887777'), accountId: '999988887777' }), PRIMARY),
      ],
      [
        'same cluster in another partition',
        chainRequest(identity(undefined, undefined, { clusterArn: CLUSTER_ARN.replace('arn:aws:', 'arn:aws-us-gov:') }), PRIMARY),
      ],
      ['other source role', chainRequest(identity(), PRIMARY.replace('primary-role', 'other-role'))],
      [
        'source role in another account',
        chainRequest(identity(undefined, undefined, { accountId: '999988887777' }), PRIMARY.replace(CLUSTER_ACCOUNT, '999988887777')),
      ],
      ['source role in another partition', chainRequest(identity(), PRIMARY.replace('arn:aws:', 'arn:aws-cn:'))],
    ];
    for (const [what, request] of neighbours) expect(decide(GUIDE_TAGGED, request), what).toBe('no');
  });

  it("the source role's own account is the principal's, whatever the cluster's: a role of another account is not the cluster account's root", () => {
    const elsewhere = PRIMARY.replace(CLUSTER_ACCOUNT, '999988887777');
    const byRoot = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${CLUSTER_ACCOUNT}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    expect(decide(byRoot, chainRequest(identity(), PRIMARY))).toBe('yes');
    expect(decide(byRoot, chainRequest(identity(), elsewhere))).toBe('no');
    const byAccount = doc({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:PrincipalAccount': CLUSTER_ACCOUNT } },
    });
    expect(decide(byAccount, chainRequest(identity(), elsewhere))).toBe('no');
  });

  it('the calling session has the tags as principal tags too; tags of the source role itself stay unknown', () => {
    const byPrincipalTag = doc({
      Effect: 'Allow',
      Principal: { AWS: PRIMARY },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:PrincipalTag/eks-cluster-arn': CLUSTER_ARN, 'aws:PrincipalTag/kubernetes-namespace': 'example-namespace' } },
    });
    expect(decide(byPrincipalTag, chainRequest(identity(), PRIMARY))).toBe('yes');
    expect(decide(byPrincipalTag, chainRequest(identity('other'), PRIMARY))).toBe('no');
    const byRoleTag = doc({
      Effect: 'Allow',
      Principal: { AWS: PRIMARY },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'payments' } },
    });
    expect(decide(byRoleTag, chainRequest(identity(), PRIMARY))).toBe('unknown');
    const byPod = doc({
      Effect: 'Allow',
      Principal: { AWS: PRIMARY },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:RequestTag/kubernetes-pod-name': 'web-1' } },
    });
    expect(decide(byPod, chainRequest(identity(), PRIMARY))).toBe('unknown');
  });

  it('with session tags disabled it carries none, only the external ID', () => {
    expect(decide(GUIDE_TAGGED, chainRequest(identity(), PRIMARY, false))).toBe('no');
    expect(decide(GUIDE_UNTAGGED, chainRequest(identity(), PRIMARY, false))).toBe('yes');
    expect(decide(GUIDE_UNTAGGED, chainRequest(identity('other'), PRIMARY, false))).toBe('no');
    expect(decide(GUIDE_UNTAGGED, chainRequest(identity(), PRIMARY.replace('primary-role', 'other-role'), false))).toBe('no');
    expect(externalIdOf(identity())).toBe(`us-east-1/${CLUSTER_ACCOUNT}/example-cluster/example-namespace/example-service-account`);
  });
});

describe('the first Pod Identity request with session tags disabled', () => {
  it('asks for sts:AssumeRole only: a trust without sts:TagSession admits it, and only it', () => {
    const assumeOnly = podsTrust('sts:AssumeRole');
    expect(decide(assumeOnly, podIdentityRequest(identity(), false))).toBe('yes');
    expect(decide(assumeOnly, podIdentityRequest(identity(), true))).toBe('no');
    expect(decide(podsTrust(['sts:AssumeRole', 'sts:TagSession']), podIdentityRequest(identity(), false))).toBe('yes');
  });

  it('carries no tags, so a trust scoped by tags refuses it', () => {
    const scoped = podsTrust(['sts:AssumeRole', 'sts:TagSession'], { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'example-namespace' } });
    expect(decide(scoped, podIdentityRequest(identity(), true))).toBe('yes');
    expect(decide(scoped, podIdentityRequest(identity(), false))).toBe('no');
  });
});

const cluster = (serviceAccounts: string[], annotatedRole?: string): Cluster =>
  clusterOf('example-cluster', {
    region: 'us-east-1',
    accountId: CLUSTER_ACCOUNT,
    issuerHostPath: identity().issuerHostPath,
    serviceAccounts: serviceAccounts.map((name) => serviceAccount('example-namespace', name, annotatedRole)),
  });

const association = (name: string, disableSessionTags: boolean): PodIdentityAssociation =>
  associationOf({ name: 'example-cluster', arn: CLUSTER_ARN }, 'example-namespace', name, PRIMARY, { targetRoleArn: TARGET, disableSessionTags });

const inventoryWith = (roles: Role[], c: Cluster, associations: PodIdentityAssociation[]): Inventory => inventoryOf({ roles, clusters: [c], associations });

const statuses = (inventory: Inventory) =>
  Object.fromEntries(
    buildReport(inventory, plan(inventory, { generatedAt: '2026-01-01T00:00:00Z' }))
      .clusters.flatMap((c) => c.mappings)
      .map((m) => [m.serviceAccount, m.status]),
  );

describe('the role-to-pod map of the documented cross-account pattern', () => {
  const primaryTrust = podsTrust(['sts:AssumeRole', 'sts:TagSession'], { StringEquals: { 'aws:RequestTag/eks-cluster-arn': CLUSTER_ARN } });

  it("reports the guide's identity active through its target role, a neighbour on the same roles broken", () => {
    const inventory = inventoryWith([roleOf(PRIMARY, primaryTrust), roleOf(TARGET, GUIDE_TAGGED)], cluster(['example-service-account', 'other']), [
      association('example-service-account', false),
      association('other', false),
    ]);
    expect(statuses(inventory)).toEqual({ 'example-service-account': 'active', other: 'broken' });
  });

  it('with session tags disabled: a primary trust allowing only sts:AssumeRole and the external-ID target trust are active', () => {
    const inventory = inventoryWith(
      [roleOf(PRIMARY, podsTrust('sts:AssumeRole')), roleOf(TARGET, GUIDE_UNTAGGED)],
      cluster(['example-service-account', 'other']),
      [association('example-service-account', true), association('other', true)],
    );
    expect(statuses(inventory)).toEqual({ 'example-service-account': 'active', other: 'broken' });
    expect(podIdentityTagsDisabled.check(new RuleContext(inventory))).toEqual([]);
  });

  it('with session tags disabled and a target trust scoped by the tags: broken, and pod-identity-tags-disabled names the target role', () => {
    const inventory = inventoryWith([roleOf(PRIMARY, podsTrust('sts:AssumeRole')), roleOf(TARGET, GUIDE_TAGGED)], cluster(['example-service-account']), [
      association('example-service-account', true),
    ]);
    expect(statuses(inventory)).toEqual({ 'example-service-account': 'broken' });
    const findings = podIdentityTagsDisabled.check(new RuleContext(inventory));
    expect(findings.map((f) => f.roleArn)).toEqual([TARGET]);
  });
});

describe('the planner reuses a target trust written the documented way', () => {
  it('adds no chaining statement when the target trust already admits the chained request by its session tags, and admits no neighbour', () => {
    const chainArn = chainRoleArnFor(CLUSTER_ACCOUNT, TARGET);
    const issuer = identity().issuerHostPath;
    const irsa: RawStatement = {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${TARGET_ACCOUNT}:oidc-provider/${issuer}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { [`${issuer}:sub`]: 'system:serviceaccount:example-namespace:example-service-account', [`${issuer}:aud`]: 'sts.amazonaws.com' },
      },
    };
    const tagged = (GUIDE_TAGGED.Statement as RawStatement[])[0]!;
    const chained: RawStatement = { ...tagged, Condition: { ...tagged.Condition, ArnEquals: { 'aws:PrincipalARN': chainArn } } };
    const clusterAccountScanned = roleOf(
      `arn:aws:iam::${CLUSTER_ACCOUNT}:role/unrelated`,
      doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
    );
    const inventory = inventoryWith([roleOf(TARGET, doc(irsa, chained)), clusterAccountScanned], cluster(['example-service-account'], TARGET), []);
    const p = plan(inventory, { generatedAt: '2026-01-01T00:00:00Z' });
    expect(p.associations.map((a) => [a.serviceAccount, a.status])).toEqual([['example-service-account', 'create']]);
    const planned = p.roles.find((r) => r.arn === TARGET)!;
    expect(planned.equivalent).toBe(true);
    const transition = planned.trustPolicy.transition;
    expect(JSON.stringify(transition)).not.toContain('sts:ExternalId');
    expect(decide(transition, chainRequest(identity(), chainArn))).toBe('yes');
    expect(decide(transition, chainRequest(identity('other'), chainArn))).toBe('no');
    expect(decide(transition, chainRequest(identity(undefined, 'other'), chainArn))).toBe('no');
  });
});
