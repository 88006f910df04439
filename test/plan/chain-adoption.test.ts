import { describe, expect, it } from 'vitest';
import { exactGrants } from '../../src/plan/chain-adoption.js';
import type { PolicyDocument, RawStatement } from '../../src/iam/policy.js';

const C1 = 'arn:aws:eks:eu-west-1:111122223333:cluster/c1';
const C2 = 'arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/c2';
const pods = (condition: RawStatement['Condition'], over: Partial<RawStatement> = {}): RawStatement => ({
  Effect: 'Allow',
  Principal: { Service: 'pods.eks.amazonaws.com' },
  Action: ['sts:AssumeRole', 'sts:TagSession'],
  Condition: condition,
  ...over,
});
const doc = (...statements: RawStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const tags = (clusters: string | string[], namespaces: string | string[], serviceAccounts: string | string[]) => ({
  StringEquals: {
    'aws:RequestTag/eks-cluster-arn': clusters,
    'aws:RequestTag/kubernetes-namespace': namespaces,
    'aws:RequestTag/kubernetes-service-account': serviceAccounts,
  },
});
const keys = (g: ReturnType<typeof exactGrants>) => (typeof g === 'string' ? g : g.map((x) => `${x.clusterArn} ${x.namespace}/${x.serviceAccount}`).sort());

describe('exactGrants: what a chaining-role trust admits, read off statements of the shape irsa2pi writes', () => {
  it("is the product of each statement's lists, and nothing beside it", () => {
    const got = keys(exactGrants(doc(pods(tags([C1, C2], 'shop', ['a', 'b'])), pods(tags(C1, 'ops', 'c')))));
    expect(got).toEqual([`${C1} ops/c`, `${C1} shop/a`, `${C1} shop/b`, `${C2} shop/a`, `${C2} shop/b`].sort());
    for (const neighbour of [
      `${C1} shop/c`,
      `${C1} ops/a`,
      `${C2} ops/c`,
      `arn:aws:eks:eu-west-1:444455556666:cluster/c1 shop/a`,
      `arn:aws-cn:eks:eu-west-1:111122223333:cluster/c1 shop/a`,
    ])
      expect(got).not.toContain(neighbour);
  });

  it.each([
    ['a Deny', pods(tags(C1, 'shop', 'a'), { Effect: 'Deny' })],
    ['another principal', pods(tags(C1, 'shop', 'a'), { Principal: { Service: 'pods.eks.amazonaws.com', AWS: 'arn:aws:iam::111122223333:root' } })],
    ['every principal', pods(tags(C1, 'shop', 'a'), { Principal: '*' })],
    ['NotPrincipal', { ...pods(tags(C1, 'shop', 'a')), Principal: undefined, NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }],
    ['another action', pods(tags(C1, 'shop', 'a'), { Action: ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'] })],
    ['a pattern', pods({ StringLike: tags(C1, 'shop', 'a*').StringEquals })],
    ['a second operator', pods({ ...tags(C1, 'shop', 'a'), StringNotEquals: { 'aws:RequestTag/kubernetes-namespace': 'x' } })],
    ['a missing tag', pods({ StringEquals: { 'aws:RequestTag/eks-cluster-arn': C1, 'aws:RequestTag/kubernetes-namespace': 'shop' } })],
    [
      'the cluster by name',
      pods({
        StringEquals: {
          'aws:RequestTag/eks-cluster-name': 'c1',
          'aws:RequestTag/kubernetes-namespace': 'shop',
          'aws:RequestTag/kubernetes-service-account': 'a',
        },
      }),
    ],
    ['a policy variable', pods(tags(C1, '${aws:PrincipalTag/ns}', 'a'))],
    ['an ARN that is not a cluster', pods(tags('arn:aws:eks:*:111122223333:cluster/c1', 'shop', 'a'))],
    ['an empty list', pods(tags([], 'shop', 'a'))],
    [
      'one tag tested twice under keys of different case',
      pods({ StringEquals: { ...tags(C1, 'shop', 'a').StringEquals, 'aws:RequestTag/KUBERNETES-NAMESPACE': 'evil' } }),
    ],
  ])('refuses a statement with %s', (_, st) => {
    expect(typeof exactGrants(doc(pods(tags(C1, 'shop', 'a')), st))).toBe('string');
  });
});
