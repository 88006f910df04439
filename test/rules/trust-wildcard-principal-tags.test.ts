import { describe, expect, it } from 'vitest';
import type { RawStatement } from '../../src/iam/policy.js';
import { audit } from '../../src/rules/index.js';
import { cluster, inventory, irsaStatement, role, serviceAccount } from '../helpers/inventory.js';

const ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];

function findings(st: RawStatement) {
  const prod = cluster('prod', [serviceAccount('shop', 'cart', 'arn:aws:iam::111122223333:role/app')]);
  const r = role('app', [irsaStatement(prod, 'StringEquals', ['system:serviceaccount:shop:cart']), st]);
  return audit(inventory([prod], [r])).filter((f) => f.rule === 'trust-wildcard-principal');
}

describe('trust-wildcard-principal: conditions the caller sets itself do not narrow "*"', () => {
  it.each([
    ['Pod Identity session tags', { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop', 'aws:RequestTag/kubernetes-service-account': 'cart' } }],
    ['a role session name', { StringLike: { 'sts:RoleSessionName': 'eks-*' } }],
    ['tag keys and a source identity', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] }, StringEquals: { 'sts:SourceIdentity': 'me' } }],
  ])('Principal "*" tested only on %s is flagged', (_name, condition) => {
    const found = findings({ Effect: 'Allow', Principal: '*', Action: ACTIONS, Condition: condition });
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('admits any AWS principal that sets');
  });

  it.each([
    ['the caller account', { StringEquals: { 'aws:PrincipalAccount': '111122223333', 'aws:RequestTag/team': 'a' } }],
    ['an organisation', { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } }],
  ])('Principal "*" also tested on %s is not flagged', (_name, condition) => {
    expect(findings({ Effect: 'Allow', Principal: '*', Action: ACTIONS, Condition: condition })).toEqual([]);
  });

  it('a service principal with the same tags is not this rule', () => {
    expect(
      findings({
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ACTIONS,
        Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'shop' } },
      }),
    ).toEqual([]);
  });
});
