import { describe, expect, it } from 'vitest';
import { stackTemplateProblem } from '../../src/analysis/stack-template.js';
import type { PolicyDocument } from '../../src/iam/policy.js';
import type { CloudFormationTemplate } from '../../src/model/owners.js';

const TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
};
const STACK = { name: 'eksctl-c1-addon-iamserviceaccount-shop-cart', accountId: '111122223333', region: 'eu-west-1', logicalId: 'Role1' };
const template = (body: CloudFormationTemplate['body']): CloudFormationTemplate => ({
  stackName: STACK.name,
  accountId: '111122223333',
  region: 'eu-west-1',
  body,
  source: 't.json',
});
const withRole = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  template({ AWSTemplateFormatVersion: '2010-09-09', ...extra, Resources: { Role1: { Type: 'AWS::IAM::Role', Properties: props } } });

describe('stackTemplateProblem: when a trust cannot be changed through its stack', () => {
  it('none for a JSON template whose literal trust is the role’s (key order aside)', () => {
    const reordered = { Statement: TRUST.Statement, Version: '2012-10-17' };
    expect(stackTemplateProblem(STACK, withRole({ AssumeRolePolicyDocument: reordered }), TRUST)).toBeUndefined();
  });

  it.each([
    [
      'no template in the evidence',
      undefined,
      /template of stack eksctl-c1-addon-iamserviceaccount-shop-cart \(eu-west-1\) is not in the evidence .*cloudformation-template-eksctl-c1-addon-iamserviceaccount-shop-cart\.json/,
    ],
    ['a YAML template', template('Resources:\n  Role1:\n    Type: AWS::IAM::Role\n'), /is YAML/],
    ['no such resource', template({ Resources: { Role1: { Type: 'AWS::SNS::Topic' } } }), /has no AWS::IAM::Role Role1/],
    ['no trust document', withRole({ Path: '/' }), /has no AssumeRolePolicyDocument object/],
    ['an intrinsic function in the trust', withRole({ AssumeRolePolicyDocument: { 'Fn::Sub': '...' } }), /calls intrinsic functions/],
    [
      'another trust than the role’s',
      withRole({ AssumeRolePolicyDocument: { ...TRUST, Version: '2008-10-17' } }),
      /is not the role's trust \(the stack has drifted\)/,
    ],
    ['keys JavaScript reorders', withRole({ AssumeRolePolicyDocument: TRUST }, { Mappings: { M: { '1': { a: 'b' } } } }), /keys such as "1"/],
    ['a template near the size limit', withRole({ AssumeRolePolicyDocument: TRUST }, { Description: 'x'.repeat(40_000) }), /limit of 51200 bytes/],
  ])('%s', (_what, t, message) => {
    expect(stackTemplateProblem(STACK, t, TRUST)).toMatch(message);
  });

  it('a template just under the bound passes', () => {
    const fits = withRole({ AssumeRolePolicyDocument: TRUST }, { Description: 'x'.repeat(30_000) });
    expect(stackTemplateProblem(STACK, fits, TRUST)).toBeUndefined();
  });
});
