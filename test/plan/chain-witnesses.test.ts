import { describe, expect, it } from 'vitest';
import { podIdentityWitnesses } from '../../src/plan/chain-witnesses.js';
import type { PolicyDocument } from '../../src/iam/policy.js';
import type { Identity } from '../../src/iam/requests.js';

const C1 = 'arn:aws:eks:eu-west-1:111122223333:cluster/c1';
const allowed: Identity = { clusterArn: C1, clusterName: 'c1', accountId: '111122223333', region: 'eu-west-1', issuerHostPath: 'oidc.eks.eu-west-1.amazonaws.com/id/X', namespace: 'shop', serviceAccount: 'cart-reader', audience: 'sts.amazonaws.com' };
const trust = (...conditions: Record<string, Record<string, string | string[]>>[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: conditions.map((Condition) => ({ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition })),
});
const keys = (ids: readonly Identity[] | undefined) => new Set((ids ?? []).map((id) => `${id.clusterName}@${id.region}/${id.namespace}/${id.serviceAccount}`));

describe('podIdentityWitnesses', () => {
  it('stands in for clusters, namespaces and service accounts the trust names but the evidence lacks, in every combination', () => {
    const got = keys(
      podIdentityWitnesses(
        trust(
          { StringEquals: { 'aws:RequestTag/eks-cluster-arn': [C1, 'arn:aws:eks:us-east-1:111122223333:cluster/dev'], 'aws:RequestTag/kubernetes-namespace': ['shop', 'evil'], 'aws:RequestTag/kubernetes-service-account': 'cart-reader' } },
          { StringEquals: { 'aws:RequestTag/eks-cluster-name': 'ops', 'aws:RequestTag/kubernetes-service-account': 'THIEF' } },
        ),
        [allowed],
      ),
    );
    for (const k of ['c1@eu-west-1/shop/cart-reader', 'dev@us-east-1/evil/cart-reader', 'dev@us-east-1/shop/cart-reader', 'c1@eu-west-1/evil/cart-reader', 'ops@eu-west-1/shop/thief', 'ops@us-east-1/evil/thief', 'irsa2pi-neighbour@eu-west-1/shop/cart-reader', 'c1@eu-west-1/irsa2pi-neighbour/irsa2pi-neighbour']) {
      expect(got, k).toContain(k);
    }
  });

  it('fills wildcards both ways and keeps only names Kubernetes allows', () => {
    const got = keys(podIdentityWitnesses(trust({ StringLike: { 'aws:RequestTag/kubernetes-service-account': 'cart*', 'aws:RequestTag/kubernetes-namespace': 'Not A Namespace' } }), [allowed]));
    expect(got).toContain('c1@eu-west-1/shop/cart');
    expect(got).toContain('c1@eu-west-1/shop/cartirsa2pi0');
    expect([...got].some((k) => k.includes('Not A Namespace') || k.includes('not a namespace'))).toBe(false);
  });

  it('gives up, rather than prove from a sample, when the combinations pass the limit', () => {
    const many = Array.from({ length: 40 }, (_, i) => `ns-${i}`);
    const doc = trust({ StringEquals: { 'aws:RequestTag/kubernetes-namespace': many, 'aws:RequestTag/kubernetes-service-account': many } });
    expect(podIdentityWitnesses(doc, [allowed], 1_000)).toBeUndefined();
    expect(podIdentityWitnesses(doc, [allowed])?.length).toBeGreaterThan(1_000);
  });

  it('ignores statements Pod Identity cannot be the principal of', () => {
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalTag/kubernetes-namespace': 'elsewhere' } } }] };
    expect([...keys(podIdentityWitnesses(doc, [allowed]))].some((k) => k.includes('elsewhere'))).toBe(false);
  });
});
