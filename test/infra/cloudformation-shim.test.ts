import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startMoto, awsEnv, type MotoServer } from '../helpers/moto.js';
import { startCloudFormationShim, type CloudFormationShim } from '../helpers/cloudformation-shim.js';
import { runCommand } from '../helpers/exec.js';

const ACCT = '111122223333';
const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const irsaTrust = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCT}:oidc-provider/${ISSUER}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
    },
  ],
};
const podIdentityTrust = {
  Version: '2012-10-17',
  Statement: [
    ...irsaTrust.Statement,
    {
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:RequestTag/kubernetes-namespace': 'apps' } },
    },
  ],
};
/** The shape of eksctl's iamserviceaccount stack: one role, its trust literal, a managed policy attached. */
function eksctlTemplate(trust: unknown): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'IAM role for serviceaccount "apps/api" [created and managed by eksctl]',
    Resources: {
      Role1: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: trust, ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
      },
    },
    Outputs: { Role1: { Value: { 'Fn::GetAtt': 'Role1.Arn' } } },
  };
}

describe('CloudFormation shim in front of moto, through the AWS CLI', () => {
  let moto: MotoServer | undefined;
  let shim: CloudFormationShim | undefined;
  const aws = (...args: string[]) => runCommand('aws', args, { env: awsEnv(shim!.endpoint) });
  const awsJson = async (...args: string[]) => {
    const r = await aws(...args);
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, any>) : {};
  };
  const STACK = 'eksctl-prod-addon-iamserviceaccount-apps-api';
  const ROLE = 'eksctl-prod-addon-iamserviceaccount-apps-api-Role1-1A2B3C4D5E6F';

  beforeAll(async () => {
    moto = await startMoto();
    shim = await startCloudFormationShim({ upstream: moto.endpoint, motoEndpoint: moto.endpoint, accountId: ACCT });
    const seeded = shim;
    await awsJson('iam', 'create-role', '--role-name', ROLE, '--assume-role-policy-document', JSON.stringify(irsaTrust));
    seeded.seedStack({
      name: STACK,
      template: eksctlTemplate(irsaTrust),
      resources: [{ logicalId: 'Role1', type: 'AWS::IAM::Role', physicalId: ROLE }],
      tags: { 'alpha.eksctl.io/cluster-name': 'prod', 'alpha.eksctl.io/iamserviceaccount-name': 'apps/api' },
    });
    seeded.seedStack({
      name: 'wider',
      template: eksctlTemplate(podIdentityTrust),
      resources: [{ logicalId: 'Role1', type: 'AWS::IAM::Role', physicalId: 'other-role' }],
    });
    seeded.seedStack({
      name: 'broken',
      status: 'UPDATE_ROLLBACK_FAILED',
      template: eksctlTemplate(irsaTrust),
      resources: [{ logicalId: 'Role1', type: 'AWS::IAM::Role', physicalId: ROLE }],
    });
  });
  afterAll(async () => {
    await shim?.stop();
    await moto?.stop();
  });

  it('forwards other services to moto', async () => {
    const role = await awsJson('iam', 'get-role', '--role-name', ROLE);
    expect(role.Role.RoleName).toBe(ROLE);
  });

  it('describes stacks, their resources and template as the CLI reads them', async () => {
    const stacks = await awsJson('cloudformation', 'describe-stacks', '--stack-name', STACK);
    expect(stacks.Stacks[0].StackStatus).toBe('CREATE_COMPLETE');
    expect(stacks.Stacks[0].Tags).toContainEqual({ Key: 'alpha.eksctl.io/cluster-name', Value: 'prod' });
    const resources = await awsJson('cloudformation', 'list-stack-resources', '--stack-name', STACK);
    expect(resources.StackResourceSummaries).toEqual([
      expect.objectContaining({ LogicalResourceId: 'Role1', PhysicalResourceId: ROLE, ResourceType: 'AWS::IAM::Role' }),
    ]);
    const listed = await awsJson('cloudformation', 'list-stacks', '--stack-status-filter', 'UPDATE_ROLLBACK_FAILED');
    expect(listed.StackSummaries.map((s: { StackName: string }) => s.StackName)).toEqual(['broken']);
    const template = await awsJson('cloudformation', 'get-template', '--stack-name', STACK);
    expect(template.TemplateBody.Resources.Role1.Properties.AssumeRolePolicyDocument).toEqual(irsaTrust);
  });

  it('a changed trust is one in-place Modify of AssumeRolePolicyDocument; executing it updates the role in IAM and the stack template', async () => {
    const created = await awsJson(
      'cloudformation',
      'create-change-set',
      '--stack-name',
      STACK,
      '--change-set-name',
      'irsa2pi-transition',
      '--template-body',
      JSON.stringify(eksctlTemplate(podIdentityTrust)),
      '--capabilities',
      'CAPABILITY_IAM',
    );
    expect(created.Id).toMatch(/^arn:aws:cloudformation:us-east-1:111122223333:changeSet\/irsa2pi-transition\//);
    expect((await aws('cloudformation', 'wait', 'change-set-create-complete', '--change-set-name', created.Id)).code).toBe(0);
    const described = await awsJson('cloudformation', 'describe-change-set', '--change-set-name', 'irsa2pi-transition', '--stack-name', STACK);
    expect(described.ExecutionStatus).toBe('AVAILABLE');
    expect(described.Changes).toEqual([
      {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: 'Role1',
          PhysicalResourceId: ROLE,
          ResourceType: 'AWS::IAM::Role',
          Replacement: 'False',
          Scope: ['Properties'],
          Details: [
            {
              Target: { Attribute: 'Properties', Name: 'AssumeRolePolicyDocument', RequiresRecreation: 'Never' },
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            },
          ],
        },
      },
    ]);
    await awsJson('cloudformation', 'execute-change-set', '--change-set-name', created.Id);
    expect((await aws('cloudformation', 'wait', 'stack-update-complete', '--stack-name', STACK)).code).toBe(0);
    const role = await awsJson('iam', 'get-role', '--role-name', ROLE);
    const live = role.Role.AssumeRolePolicyDocument;
    expect(typeof live === 'string' ? JSON.parse(decodeURIComponent(live)) : live).toEqual(podIdentityTrust);
    const template = await awsJson('cloudformation', 'get-template', '--stack-name', STACK);
    expect(template.TemplateBody.Resources.Role1.Properties.AssumeRolePolicyDocument).toEqual(podIdentityTrust);
    const again = await aws('cloudformation', 'execute-change-set', '--change-set-name', created.Id);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('InvalidChangeSetStatus');
  });

  it('the same template again makes a FAILED change set that says it has no changes', async () => {
    const current = await awsJson('cloudformation', 'get-template', '--stack-name', STACK);
    const created = await awsJson(
      'cloudformation',
      'create-change-set',
      '--stack-name',
      STACK,
      '--change-set-name',
      'irsa2pi-same',
      '--template-body',
      JSON.stringify(current.TemplateBody),
      '--capabilities',
      'CAPABILITY_IAM',
    );
    const described = await awsJson('cloudformation', 'describe-change-set', '--change-set-name', created.Id);
    expect(described.Status).toBe('FAILED');
    expect(described.StatusReason).toMatch(/didn't contain changes/);
    expect((await aws('cloudformation', 'wait', 'change-set-create-complete', '--change-set-name', created.Id)).code).not.toBe(0);
  });

  it('a change beyond the trust is listed as such, and a replacing one says Replacement True', async () => {
    const template = eksctlTemplate(irsaTrust) as { Resources: { Role1: { Properties: Record<string, unknown> } } };
    template.Resources.Role1.Properties.RoleName = 'renamed';
    template.Resources.Role1.Properties.ManagedPolicyArns = [];
    const created = await awsJson(
      'cloudformation',
      'create-change-set',
      '--stack-name',
      'wider',
      '--change-set-name',
      'wider',
      '--template-body',
      JSON.stringify(template),
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
    );
    const described = await awsJson('cloudformation', 'describe-change-set', '--change-set-name', created.Id);
    const change = described.Changes[0].ResourceChange;
    expect(change.Replacement).toBe('True');
    expect(change.Details.map((d: { Target: { Name: string; RequiresRecreation: string } }) => [d.Target.Name, d.Target.RequiresRecreation])).toEqual([
      ['AssumeRolePolicyDocument', 'Never'],
      ['ManagedPolicyArns', 'Never'],
      ['RoleName', 'Always'],
    ]);
    await awsJson('cloudformation', 'delete-change-set', '--change-set-name', created.Id);
    expect((await aws('cloudformation', 'describe-change-set', '--change-set-name', created.Id)).stderr).toContain('ChangeSetNotFound');
  });

  it('refuses what CloudFormation refuses: no IAM capability, a stack in a failed state, an unknown stack', async () => {
    const body = JSON.stringify(eksctlTemplate(podIdentityTrust));
    const noCaps = await aws('cloudformation', 'create-change-set', '--stack-name', STACK, '--change-set-name', 'nocaps', '--template-body', body);
    expect(noCaps.code).not.toBe(0);
    expect(noCaps.stderr).toContain('InsufficientCapabilitiesException');
    const broken = await aws(
      'cloudformation',
      'create-change-set',
      '--stack-name',
      'broken',
      '--change-set-name',
      'x',
      '--template-body',
      body,
      '--capabilities',
      'CAPABILITY_IAM',
    );
    expect(broken.stderr).toMatch(/is in UPDATE_ROLLBACK_FAILED state and can not be updated/);
    const missing = await aws('cloudformation', 'describe-stacks', '--stack-name', 'nope');
    expect(missing.stderr).toContain('Stack with id nope does not exist');
  });
});
