import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { KubeConfig } from '@kubernetes/client-node';
import { analyze } from '../../../src/analysis/index.js';
import { collectEvidence } from '../../../src/sources/live/collect.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { plan } from '../../../src/plan/plan.js';
import { runCommand } from '../../helpers/exec.js';
import { sdkConfig } from '../../helpers/moto.js';
import { buildWorld, ACCT, REGION, type World } from './world.js';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'collect-evidence.sh');
const STACK = 'eksctl-c1-addon-iamserviceaccount-shop-cart';
const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Description: 'IAM role for serviceaccount "shop/cart" [created and managed by eksctl]',
  Resources: {
    Role1: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'eksctl-c1-cart-role',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
      },
    },
  },
};

describe('CloudFormation owners collected from moto', () => {
  let world: World;
  const saved = { ...process.env };
  beforeAll(async () => {
    world = await buildWorld({ associations: 1 });
    Object.assign(process.env, world.env);
    const cfn = new CloudFormationClient(sdkConfig(world.shim.endpoint, REGION));
    await cfn.send(
      new CreateStackCommand({
        StackName: STACK,
        TemplateBody: JSON.stringify(TEMPLATE),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Tags: [{ Key: 'alpha.eksctl.io/cluster-name', Value: 'c1' }],
      }),
    );
    await cfn.send(new CreateStackCommand({ StackName: 'no-roles', TemplateBody: JSON.stringify({ Resources: { T: { Type: 'AWS::SNS::Topic' } } }) }));
    cfn.destroy();
  }, 60_000);
  afterAll(async () => {
    process.env = saved;
    await (world as World | undefined)?.stop();
  });

  const owners = (dir: string) => {
    const inventory = readEvidenceBundle(dir);
    const role = inventory.roles.find((r) => r.name === 'eksctl-c1-cart-role');
    if (!role) throw new Error('the stack role was not collected');
    return { inventory, owner: analyze(inventory).indexes.owners.role(role)?.owner };
  };

  it('collect writes each stack, its resources and, for a stack holding a role, its template; the plan names the owners', async () => {
    const operations: string[] = [];
    const result = await collectEvidence({
      regions: [REGION],
      contexts: ['c1=fake'],
      onAwsOperation: (op) => operations.push(op),
      loadKubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(world.kubeconfig);
        return kc;
      },
    });
    expect(result.gaps).toEqual([]);
    const out = join(world.dir, 'collected');
    for (const f of result.files) {
      const path = join(out, f.path);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, f.content);
    }
    const region = readdirSync(join(out, 'aws', ACCT, REGION)).filter((f) => f.startsWith('cloudformation-'));
    expect(region.sort()).toEqual([
      `cloudformation-resources-${STACK}.json`,
      'cloudformation-resources-no-roles.json',
      'cloudformation-stacks.json',
      `cloudformation-template-${STACK}.json`,
    ]);
    expect(new Set(operations.filter((o) => o.startsWith('cloudformation:')))).toEqual(
      new Set(['cloudformation:DescribeStacks', 'cloudformation:DescribeStackResources', 'cloudformation:GetTemplate']),
    );
    const { inventory, owner } = owners(out);
    expect(owner).toEqual({ kind: 'eksctl', stack: STACK, cluster: 'c1' });
    expect(inventory.owners?.stacks.map((s) => [s.name, s.status, s.accountId, s.region]).sort()).toEqual([
      [STACK, 'CREATE_COMPLETE', ACCT, REGION],
      ['no-roles', 'CREATE_COMPLETE', ACCT, REGION],
    ]);
    const p = plan(inventory, { generatedAt: '2026-01-01T00:00:00Z' });
    expect(p.roles.length).toBeGreaterThan(0);
    for (const r of p.roles) expect(r.owner).toEqual({ kind: 'unmanaged' });
  });

  it('scripts/collect-evidence.sh writes the same CloudFormation evidence', async () => {
    const scripted = join(world.dir, 'scripted');
    const r = await runCommand('bash', [SCRIPT, '-o', scripted, '-r', REGION, '-c', 'c1=fake'], {
      env: { ...world.env, KUBECACHEDIR: join(world.dir, 'kcache-owners') },
      timeoutMs: 220_000,
    });
    expect(r.code, r.stderr).toBe(0);
    // moto fault: its GetAccountAuthorizationDetails omits Policies[].PolicyName (real IAM prints it).
    const gaadPath = join(scripted, 'aws', ACCT, 'iam-authorization-details.json');
    const gaad = JSON.parse(readFileSync(gaadPath, 'utf8'));
    for (const p of gaad.Policies) p.PolicyName ??= String(p.Arn).split('/').pop();
    writeFileSync(gaadPath, JSON.stringify(gaad, null, 4));
    expect(existsSync(join(scripted, 'aws', ACCT, REGION, `cloudformation-template-${STACK}.json`))).toBe(true);
    expect(existsSync(join(scripted, 'aws', ACCT, REGION, 'cloudformation-template-no-roles.json'))).toBe(false);
    const template = JSON.parse(readFileSync(join(scripted, 'aws', ACCT, REGION, `cloudformation-template-${STACK}.json`), 'utf8'));
    expect(template.TemplateBody).toBeDefined();
    expect(owners(scripted).owner).toEqual({ kind: 'eksctl', stack: STACK, cluster: 'c1' });
  }, 240_000);
});
