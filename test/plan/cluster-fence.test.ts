import { describe, expect, it } from 'vitest';
import { evaluateTrust } from '../../src/iam/evaluate.js';
import { fencedToClusters } from '../../src/iam/cluster-scoped.js';
import { normalizeStatements, type PolicyDocument, type RawStatement } from '../../src/iam/policy.js';
import { podIdentityRequest } from '../../src/iam/requests.js';
import { identityOf } from '../../src/analysis/indexes.js';
import { plan } from '../../src/plan/plan.js';
import { audit } from '../../src/rules/index.js';
import { cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const R = 'arn:aws:iam::111122223333:role/app';
const POD_IDENTITY = { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] } as const;
const admits = (doc: PolicyDocument, id: ReturnType<typeof identityOf>) => evaluateTrust(normalizeStatements(doc), podIdentityRequest(id)).decision;

describe('a fencing Deny names the trust’s clusters, not each statement’s', () => {
  it('a fence naming prod and test (test for another statement) leaves the shop/cart Allow admitting test/shop/cart, which the scan found: plan and audit still say so', () => {
    const prod = cluster('prod', [serviceAccount('shop', 'cart', R)]);
    const test = cluster('test', [serviceAccount('shop', 'cart'), serviceAccount('web', 'api')]);
    const forProd: RawStatement = {
      ...POD_IDENTITY,
      Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' } },
    };
    const forTest: RawStatement = {
      ...POD_IDENTITY,
      Condition: {
        StringEquals: {
          'aws:RequestTag/eks-cluster-arn': test.arn,
          'aws:RequestTag/kubernetes-namespace': 'web',
          'aws:RequestTag/kubernetes-service-account': 'api',
        },
      },
    };
    const fence: RawStatement = {
      Effect: 'Deny',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringNotEquals: { 'aws:RequestTag/eks-cluster-arn': [prod.arn, test.arn] } },
    };
    const r = role('app', [irsaStatement(prod, 'StringEquals', ['system:serviceaccount:shop:cart']), forProd, forTest, fence]);
    const inv = inventory([prod, test], [r]);
    // The trust admits the scanned test cluster's shop/cart, a different workload, into prod's role.
    expect(admits(r.trustPolicy, identityOf(test, 'shop', 'cart'))).toBe('yes');
    const p = plan(inv, { generatedAt: 'x' });
    const flagged =
      p.findings.some((f) => f.rule === 'relies-on-broad-trust' && f.serviceAccount === 'cart') ||
      audit(inv).some((f) => f.rule === 'pod-identity-partial-scope');
    expect(flagged).toBe(true);
  });
});

describe('a Deny whose operator carries a qualifier the normalizer does not recognise', () => {
  it.each(['foranyvalue:StringNotEquals', 'ForAnyValue :StringNotEquals', 'Foo:StringNotEquals'])(
    '%s is no fence: read as a ForAnyValue test it refuses nothing without the tag (an association with session tags disabled)',
    (operator) => {
      const deny: RawStatement = {
        Effect: 'Deny',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { [operator]: { 'aws:RequestTag/eks-cluster-arn': 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' } },
      };
      expect(fencedToClusters(normalizeStatements({ Version: '2012-10-17', Statement: [deny] }))).toBe(false);
    },
  );
});
