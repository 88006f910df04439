import { describe, expect, it } from 'vitest';
import { evaluateClause, evaluateTrust } from '../../src/iam/evaluate.js';
import { normalizeSharing, normalizeStatements, splitOperator, type PolicyDocument } from '../../src/iam/policy.js';
import { irsaRequest, podIdentityRequest, type Identity } from '../../src/iam/requests.js';

const HP = 'oidc.eks.eu-west-1.amazonaws.com/id/AAAABBBBCCCCDDDDEEEEFFFF00001111';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HP}`;
const CLUSTER = 'arn:aws:eks:eu-west-1:111122223333:cluster/c1';

function id(namespace: string, serviceAccount: string, over: Partial<Identity> = {}): Identity {
  return {
    clusterArn: CLUSTER,
    clusterName: 'c1',
    accountId: '111122223333',
    region: 'eu-west-1',
    issuerHostPath: HP,
    namespace,
    serviceAccount,
    audience: 'sts.amazonaws.com',
    ...over,
  };
}

function irsaTrust(condition: Record<string, Record<string, unknown>>): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: condition as never }],
  };
}

const irsa = (doc: PolicyDocument, who: Identity) => evaluateTrust(normalizeStatements(doc), irsaRequest(who, '111122223333')).decision;
const pi = (doc: PolicyDocument, who: Identity, tags = true) => evaluateTrust(normalizeStatements(doc), podIdentityRequest(who, tags)).decision;

describe('IRSA subject matching', () => {
  it('StringEquals admits the exact subject only', () => {
    const doc = irsaTrust({ StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:shop:cart', [`${HP}:aud`]: 'sts.amazonaws.com' } });
    expect(irsa(doc, id('shop', 'cart'))).toBe('yes');
    expect(irsa(doc, id('shop', 'cart2'))).toBe('no');
    expect(irsa(doc, id('shop2', 'cart'))).toBe('no');
    expect(irsa(doc, id('shop', 'cart', { audience: 'other' }))).toBe('no');
  });

  it('a subject list is ORed', () => {
    const doc = irsaTrust({ StringEquals: { [`${HP}:sub`]: ['system:serviceaccount:a:x', 'system:serviceaccount:b:y'] } });
    expect(irsa(doc, id('a', 'x'))).toBe('yes');
    expect(irsa(doc, id('b', 'y'))).toBe('yes');
    expect(irsa(doc, id('a', 'y'))).toBe('no');
  });

  it('StringLike honours * and ?', () => {
    const doc = irsaTrust({ StringLike: { [`${HP}:sub`]: ['system:serviceaccount:team-a:*', 'system:serviceaccount:b:job-?'] } });
    expect(irsa(doc, id('team-a', 'anything'))).toBe('yes');
    expect(irsa(doc, id('team-ab', 'x'))).toBe('no');
    expect(irsa(doc, id('b', 'job-1'))).toBe('yes');
    expect(irsa(doc, id('b', 'job-12'))).toBe('no');
  });

  it('StringEquals does not treat * as a wildcard', () => {
    const doc = irsaTrust({ StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:team-a:*' } });
    expect(irsa(doc, id('team-a', 'x'))).toBe('no');
  });

  it('ForAnyValue: behaves as a list match on the single-valued sub', () => {
    const doc = irsaTrust({ 'ForAnyValue:StringLike': { [`${HP}:sub`]: ['system:serviceaccount:a:*'] } });
    expect(irsa(doc, id('a', 'x'))).toBe('yes');
    expect(irsa(doc, id('b', 'x'))).toBe('no');
  });

  it('a trust with only aud admits every service account of the cluster', () => {
    const doc = irsaTrust({ StringEquals: { [`${HP}:aud`]: 'sts.amazonaws.com' } });
    expect(irsa(doc, id('any', 'one'))).toBe('yes');
  });

  it('keys naming another issuer never match (issuer mismatch)', () => {
    const other = 'oidc.eks.us-east-1.amazonaws.com/id/99998888777766665555444433332222';
    const doc = irsaTrust({ StringEquals: { [`${other}:sub`]: 'system:serviceaccount:a:x' } });
    expect(irsa(doc, id('a', 'x'))).toBe('no');
  });

  it('other clusters, through other providers, are not admitted', () => {
    const doc = irsaTrust({ StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:a:x' } });
    const otherHp = 'oidc.eks.eu-west-1.amazonaws.com/id/00001111222233334444555566667777';
    expect(irsa(doc, id('a', 'x', { issuerHostPath: otherHp, clusterArn: `${CLUSTER}2` }))).toBe('no');
  });

  it('an explicit Deny wins over an Allow', () => {
    const doc: PolicyDocument = {
      Statement: [
        ...(irsaTrust({ StringLike: { [`${HP}:sub`]: 'system:serviceaccount:ci:*' } }).Statement as never[]),
        {
          Effect: 'Deny',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:ci:untrusted' } },
        },
      ],
    };
    expect(irsa(doc, id('ci', 'deployer'))).toBe('yes');
    expect(irsa(doc, id('ci', 'untrusted'))).toBe('no');
  });

  it('an unknown key or operator is unknown, never a guess', () => {
    expect(
      irsa(
        irsaTrust({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' }, StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:a:x' } }),
        id('a', 'x'),
      ),
    ).toBe('unknown');
    expect(irsa(irsaTrust({ StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:a:x' } }), id('a', 'y'))).toBe('no');
    expect(irsa(irsaTrust({ StringEquals: { [`${HP}:sub`]: 'system:serviceaccount:${aws:username}:x' } }), id('a', 'x'))).toBe('unknown');
  });

  it('negated operators and IfExists follow IAM semantics for absent keys', () => {
    const ctx = irsaRequest(id('a', 'x'), '111122223333').context;
    const clause = (op: string, key: string, values: string[]) => ({ operatorAsWritten: op, ...splitOperator(op), key, lowerKey: key.toLowerCase(), values });
    expect(evaluateClause(clause('StringNotEquals', 'token.actions.githubusercontent.com:sub', ['x']), ctx)).toBe('yes');
    expect(evaluateClause(clause('StringEquals', 'token.actions.githubusercontent.com:sub', ['x']), ctx)).toBe('no');
    expect(evaluateClause(clause('StringEqualsIfExists', 'token.actions.githubusercontent.com:sub', ['x']), ctx)).toBe('yes');
    expect(evaluateClause(clause('Null', 'token.actions.githubusercontent.com:sub', ['true']), ctx)).toBe('yes');
    expect(evaluateClause(clause('StringNotLike', `${HP}:sub`, ['system:serviceaccount:a:*']), ctx)).toBe('no');
  });
});

describe('Pod Identity admission', () => {
  const scoped: PolicyDocument = {
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: {
            'aws:RequestTag/eks-cluster-arn': CLUSTER,
            'aws:RequestTag/kubernetes-namespace': 'a',
            'aws:RequestTag/kubernetes-service-account': 'x',
          },
        },
      },
    ],
  };

  it('a scoped statement admits its identity and denies the neighbours', () => {
    expect(pi(scoped, id('a', 'x'))).toBe('yes');
    expect(pi(scoped, id('a', 'y'))).toBe('no');
    expect(pi(scoped, id('b', 'x'))).toBe('no');
    expect(pi(scoped, id('a', 'x', { clusterArn: `${CLUSTER}-other` }))).toBe('no');
  });

  it('an association with session tags disabled is denied by tag conditions', () => {
    expect(pi(scoped, id('a', 'x'), false)).toBe('no');
  });

  it('both sts:AssumeRole and sts:TagSession must be allowed', () => {
    const onlyAssume: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    expect(pi(onlyAssume, id('a', 'x'))).toBe('no');
  });

  it('an unconditioned statement admits everyone (what eksctl writes)', () => {
    const open: PolicyDocument = {
      Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    };
    expect(pi(open, id('any', 'one'))).toBe('yes');
  });

  it('conditions on the pod name cannot be decided per service account', () => {
    const byPod: PolicyDocument = {
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: { StringLike: { 'aws:RequestTag/kubernetes-pod-name': 'web-*' } },
        },
      ],
    };
    expect(pi(byPod, id('a', 'x'))).toBe('unknown');
  });

  it('IRSA statements do not admit Pod Identity and vice versa', () => {
    expect(pi(irsaTrust({}), id('a', 'x'))).toBe('no');
    expect(irsa(scoped, id('a', 'x'))).toBe('no');
  });
});

describe('statement normalization', () => {
  it("normalizes a statement shared by two documents once when asked to share, at each document's position, and works as an Array.map callback", () => {
    const shared = {
      Effect: 'Allow' as const,
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop' } },
    };
    const first: PolicyDocument = { Version: '2012-10-17', Statement: [shared] };
    const second: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }, shared] };
    const parts = new WeakMap();
    const [a, b] = [normalizeSharing(first, parts), normalizeSharing(second, parts)];
    expect(b[1]!.conditions).toBe(a[0]!.conditions);
    expect([a[0]!.index, b[1]!.index]).toEqual([0, 1]);
    expect([first, second].map(normalizeStatements)).toEqual([a, b]);
  });
});
