import { describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeStatements, type PolicyDocument, type RawStatement } from '../../src/iam/policy.js';
import { chainRequest, irsaRequest, podIdentityRequest, type Identity } from '../../src/iam/requests.js';
import { plan } from '../../src/plan/plan.js';
import { buildReport } from '../../src/report/build.js';
import { RuleContext } from '../../src/rules/context.js';
import { trustWildcardPrincipal } from '../../src/rules/trust-wildcard-principal.js';
import { clusterOf, inventoryOf, roleOf, serviceAccount } from '../helpers/inventory.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';

/** Each partition with a region of it and the DNS suffix of its EKS OIDC issuers. */
const PARTITIONS = [
  { partition: 'aws', region: 'eu-west-1', suffix: 'amazonaws.com' },
  { partition: 'aws-us-gov', region: 'us-gov-west-1', suffix: 'amazonaws.com' },
  { partition: 'aws-cn', region: 'cn-north-1', suffix: 'amazonaws.com.cn' },
] as const;

type Where = (typeof PARTITIONS)[number];

const hostOf = (w: Where) => `oidc.eks.${w.region}.${w.suffix}/id/0123456789ABCDEF0123456789ABCDEF`;
const clusterArnOf = (w: Where, name = 'c1', account = ACCOUNT) => `arn:${w.partition}:eks:${w.region}:${account}:cluster/${name}`;
const providerOf = (w: Where, partition: string = w.partition) => `arn:${partition}:iam::${ACCOUNT}:oidc-provider/${hostOf(w)}`;

function identity(w: Where, namespace: string, serviceAccount: string, over: Partial<Identity> = {}): Identity {
  return {
    clusterArn: clusterArnOf(w),
    clusterName: 'c1',
    accountId: ACCOUNT,
    region: w.region,
    issuerHostPath: hostOf(w),
    namespace,
    serviceAccount,
    audience: 'sts.amazonaws.com',
    ...over,
  };
}

function irsaStatement(w: Where, providerArn = providerOf(w)): RawStatement {
  return {
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${hostOf(w)}:sub`]: 'system:serviceaccount:shop:cart', [`${hostOf(w)}:aud`]: 'sts.amazonaws.com' } },
  };
}

const doc = (...statements: RawStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const decide = (d: PolicyDocument, req: ReturnType<typeof irsaRequest>) => evaluateTrust(normalizeStatements(d), req).decision;

describe.each(PARTITIONS)('partition $partition', (w) => {
  it('IRSA: the trust of the provider in the partition admits the service account it names, and no neighbour', () => {
    const trust = doc(irsaStatement(w));
    expect(decide(trust, irsaRequest(identity(w, 'shop', 'cart'), ACCOUNT))).toBe('yes');
    expect(decide(trust, irsaRequest(identity(w, 'shop', 'cart2'), ACCOUNT))).toBe('no');
    expect(decide(trust, irsaRequest(identity(w, 'shop2', 'cart'), ACCOUNT))).toBe('no');
    expect(decide(trust, irsaRequest(identity(w, 'shop', 'cart', { audience: 'other' }), ACCOUNT))).toBe('no');
    expect(decide(trust, irsaRequest(identity(w, 'shop', 'cart'), OTHER))).toBe('no');
  });

  it('IRSA: the token audience is sts.amazonaws.com in every partition, so a trust testing sts.amazonaws.com.cn admits nobody by default', () => {
    const cnAudience = doc({
      ...irsaStatement(w),
      Condition: { StringEquals: { [`${hostOf(w)}:sub`]: 'system:serviceaccount:shop:cart', [`${hostOf(w)}:aud`]: 'sts.amazonaws.com.cn' } },
    });
    expect(decide(cnAudience, irsaRequest(identity(w, 'shop', 'cart'), ACCOUNT))).toBe('no');
    expect(decide(cnAudience, irsaRequest(identity(w, 'shop', 'cart', { audience: 'sts.amazonaws.com.cn' }), ACCOUNT))).toBe('yes');
  });

  it('IRSA: a provider ARN of another partition admits nobody', () => {
    for (const other of PARTITIONS.filter((o) => o.partition !== w.partition)) {
      expect(decide(doc(irsaStatement(w, providerOf(w, other.partition))), irsaRequest(identity(w, 'shop', 'cart'), ACCOUNT))).toBe('no');
    }
  });

  it('Pod Identity: pods.eks.amazonaws.com is the principal in every partition, scoped by the cluster ARN tag', () => {
    const trust = doc({
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': clusterArnOf(w),
          'aws:RequestTag/kubernetes-namespace': 'shop',
          'aws:RequestTag/kubernetes-service-account': 'cart',
        },
      },
    });
    expect(decide(trust, podIdentityRequest(identity(w, 'shop', 'cart')))).toBe('yes');
    expect(decide(trust, podIdentityRequest(identity(w, 'shop', 'cart', { clusterArn: clusterArnOf(w, 'c2') })))).toBe('no');
    expect(decide(trust, podIdentityRequest(identity(w, 'shop', 'other')))).toBe('no');
  });

  it('chaining: the source role is named by its own ARN or its account root in the partition, not in another', () => {
    const source = `arn:${w.partition}:iam::${ACCOUNT}:role/chain`;
    const byRoot = (partition: string) =>
      doc({ Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${ACCOUNT}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    expect(decide(byRoot(w.partition), chainRequest(identity(w, 'shop', 'cart'), source))).toBe('yes');
    expect(
      decide(
        doc({ Effect: 'Allow', Principal: { AWS: source }, Action: ['sts:AssumeRole', 'sts:TagSession'] }),
        chainRequest(identity(w, 'shop', 'cart'), source),
      ),
    ).toBe('yes');
    for (const other of PARTITIONS.filter((o) => o.partition !== w.partition)) {
      expect(decide(byRoot(other.partition), chainRequest(identity(w, 'shop', 'cart'), source))).toBe('no');
    }
  });

  it('a planned and reported migration: the admitted service account is migrated and active, its neighbour is not', () => {
    const roleArn = `arn:${w.partition}:iam::${ACCOUNT}:role/app`;
    const cluster = clusterOf('c1', {
      partition: w.partition,
      region: w.region,
      accountId: ACCOUNT,
      issuerHostPath: hostOf(w),
      serviceAccounts: ['cart', 'other'].map((name) => serviceAccount('shop', name, roleArn)),
    });
    const role = roleOf(roleArn, doc(irsaStatement(w)));
    const inventory = inventoryOf({
      roles: [role],
      oidcProviders: [{ arn: providerOf(w), accountId: ACCOUNT, hostPath: hostOf(w) }],
      accountsWithProviderList: [ACCOUNT],
      clusters: [cluster],
    });
    const p = plan(inventory, { generatedAt: '2026-01-01T00:00:00Z' });
    const status = Object.fromEntries(p.associations.map((a) => [a.serviceAccount, a.status]));
    expect(status).toEqual({ cart: 'create', other: 'skipped' });
    const mappings = buildReport(inventory, p).clusters.flatMap((c) => c.mappings);
    expect(Object.fromEntries(mappings.map((m) => [m.serviceAccount, m.status]))).toEqual({ cart: 'active', other: 'broken' });
    const planned = p.roles.find((r) => r.arn === role.arn);
    expect(planned?.equivalent).toBe(true);
    const final = planned?.trustPolicy.final;
    expect(final).toBeDefined();
    const admitted = (id: Identity) => evaluateTrust(normalizeStatements(final!), podIdentityRequest(id)).decision;
    expect(admitted(identity(w, 'shop', 'cart'))).toBe('yes');
    expect(admitted(identity(w, 'shop', 'other'))).toBe('no');
    expect(admitted(identity(w, 'shop', 'cart', { clusterArn: clusterArnOf(w, 'c2') }))).toBe('no');
  });

  it("trust-wildcard-principal probes with a stranger of the role's partition", () => {
    const role = roleOf(
      `arn:${w.partition}:iam::${ACCOUNT}:role/open`,
      doc({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:${w.partition}:iam::*:role/*` } },
      }),
    );
    const inventory = inventoryOf({ roles: [role] });
    expect(trustWildcardPrincipal.check(new RuleContext(inventory)).length).toBe(1);
  });
});
