/**
 * The generated scripts against roles with owners (fixtures/owners/estate): an eksctl stack's role changed
 * only through change sets of its stack (CloudFormation shim in front of the EKS shim and moto), Terraform's
 * roles and add-on left to Terraform with a NOTE, and the refusals (a change set that changes more, a
 * drifted template, a stack that cannot take an update).
 * @module
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortedKeys } from '../../src/emit/plan/script/stack-template.js';
import { startCloudFormationShim, type CloudFormationShim, type ShimResourceChange } from '../helpers/cloudformation-shim.js';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { runCommand } from '../helpers/exec.js';
import { sdkConfig, startMoto, type MotoServer } from '../helpers/moto.js';
import { stopAll } from '../helpers/stop.js';
import { CLUSTER_ACCOUNT as ACCOUNT } from './lifecycle.js';
import { associationSummaries, buildWorld, FIXTURES, liveTrust, type Accounts, type World } from './world.js';

const REGION = 'eu-west-1';
const STACK = 'eksctl-c1-addon-iamserviceaccount-shop-cart';
const ROLE = 'eksctl-c1-addon-iamserviceaccount-shop-cart-Role1-Q2T7XW9KJ0ZP';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const EVIDENCE = path.join('aws', ACCOUNT, REGION);

type Template = Record<string, unknown> & { Resources: Record<string, { Properties: Record<string, unknown> }> };

/** The owners estate, its eksctl stack's template given a parameter (as eksctl's nodegroup stacks have). */
async function bundle(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'irsa2pi-owners-')), 'estate');
  await cp(path.join(FIXTURES, 'owners', 'estate'), dir, { recursive: true });
  const file = path.join(dir, EVIDENCE, `cloudformation-template-${STACK}.json`);
  const got = JSON.parse(await readFile(file, 'utf8')) as { TemplateBody: Record<string, unknown> };
  const { AWSTemplateFormatVersion, ...rest } = got.TemplateBody;
  got.TemplateBody = { AWSTemplateFormatVersion, Parameters: { Env: { Type: 'String', Default: 'prod' } }, ...rest };
  await writeFile(file, JSON.stringify(got, null, 4));
  return dir;
}

describe('generated scripts and role owners (moto + EKS shim + CloudFormation shim + Kubernetes fake)', () => {
  let moto: MotoServer | undefined;
  let eks: EksShim | undefined;
  let cfn: CloudFormationShim | undefined;
  let accounts: Accounts;
  let world: World | undefined;
  let estate = '';
  let template: Template;

  beforeAll(async () => {
    moto = await startMoto({ accountId: ACCOUNT });
    eks = await startEksShim({ motoEndpoint: moto.endpoint, accountId: ACCOUNT });
    cfn = await startCloudFormationShim({ upstream: eks.endpoint, motoEndpoint: moto.endpoint, accountId: ACCOUNT });
    accounts = { clusterAccount: ACCOUNT, endpoints: { [ACCOUNT]: cfn.endpoint }, motos: [moto], shim: eks };
    estate = await bundle();
    template = (JSON.parse(await readFile(path.join(estate, EVIDENCE, `cloudformation-template-${STACK}.json`), 'utf8')) as { TemplateBody: Template })
      .TemplateBody;
  });
  afterAll(async () => {
    await world?.stop();
    await stopAll(cfn, eks, moto);
  });

  /** The estate loaded, the eksctl stack seeded, and an AWS CLI that logs every call it is given. */
  async function load(dynamicChanges: ShimResourceChange[] = []): Promise<{ w: World; env: Record<string, string>; calls: () => Promise<string[]> }> {
    await world?.stop();
    cfn!.clear();
    world = await buildWorld(estate, accounts);
    cfn!.seedStack({
      name: STACK,
      region: REGION,
      template: structuredClone(template),
      resources: [{ logicalId: 'Role1', type: 'AWS::IAM::Role', physicalId: ROLE }],
      tags: { 'alpha.eksctl.io/cluster-name': 'c1' },
      parameters: { Env: 'prod' },
      dynamicChanges,
    });
    const real = (await runCommand('bash', ['-c', 'command -v aws'])).stdout.trim();
    const bin = path.join(path.dirname(world.dir), 'logging-aws');
    const log = path.join(path.dirname(world.dir), 'aws-calls.log');
    await runCommand('mkdir', ['-p', bin]);
    await writeFile(path.join(bin, 'aws'), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>${JSON.stringify(log)}\nexec ${JSON.stringify(real)} "$@"\n`, {
      mode: 0o755,
    });
    await writeFile(log, '');
    return {
      w: world,
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, VERIFY: 'warn' },
      calls: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
    };
  }

  /** Runs a script; change sets and their waiters make many AWS CLI calls, slow on a loaded machine. */
  const run = (w: World, script: string, args: string[], env: Record<string, string>) =>
    runCommand('bash', [path.join(w.dir, script), ...args], { env: { ...w.env, ...env }, timeoutMs: 400_000 });
  const ok = async (w: World, script: string, args: string[], env: Record<string, string>) => {
    const r = await run(w, script, args, env);
    expect(r.code, `${script} ${args.join(' ')}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
    return r.stdout + r.stderr;
  };
  const stackTemplate = () => cfn!.state.stacks.get(`${REGION}/${STACK}`)!.template as Template;
  const trustIn = (t: Template) => t.Resources.Role1!.Properties.AssumeRolePolicyDocument;
  const planned = (w: World, arn: string) => w.plan.roles.find((r) => r.arn === arn)!;
  const annotation = (w: World, ns: string, sa: string) => w.kube.get('ServiceAccount', ns, sa)!.metadata.annotations?.['eks.amazonaws.com/role-arn'];
  const changeSets = () => cfn!.state.requests.filter((r) => r.action === 'CreateChangeSet').length;
  const getTemplate = async (w: World, env: Record<string, string>) => {
    const r = await runCommand(
      'aws',
      ['cloudformation', 'get-template', '--region', REGION, '--stack-name', STACK, '--query', 'TemplateBody', '--output', 'json'],
      { env: { ...w.env, ...env, AWS_PROFILE: `acct${ACCOUNT}` } },
    );
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  /** The stack's template and the role's live trust both at `phase`; the template otherwise as the evidence has it. */
  async function expectStackAt(w: World, env: Record<string, string>, phase: 'current' | 'transition' | 'final'): Promise<void> {
    const role = planned(w, ROLE_ARN);
    expect(await liveTrust(accounts, ROLE_ARN)).toEqual(role.trustPolicy[phase]);
    const t = stackTemplate();
    if (phase === 'current') expect(t).toEqual(template);
    else expect(trustIn(t)).toEqual(role.trustPolicy[phase]);
    expect(JSON.stringify({ ...t, Resources: { ...t.Resources, Role1: { ...t.Resources.Role1, Properties: {} } } })).toBe(
      JSON.stringify({ ...template, Resources: { ...template.Resources, Role1: { ...template.Resources.Role1, Properties: {} } } }),
    );
    expect(await getTemplate(w, env)).toBe(await readFile(path.join(w.dir, 'stack', `${ACCOUNT}-${ROLE}.${phase}.json`), 'utf8'));
  }

  it('an eksctl role: migrate, finalize and rollback change its trust through change sets of its stack only; Terraform roles and add-on wait with a NOTE', async () => {
    const { w, env, calls } = await load();
    const stack = stackTemplate();
    expect(await getTemplate(w, env)).toBe(await readFile(path.join(w.dir, 'stack', `${ACCOUNT}-${ROLE}.current.json`), 'utf8'));

    const dry = await ok(w, 'migrate.sh', ['--dry-run'], env);
    expect(dry).toContain("(dry run) + 'aws'");
    expect(dry).toMatch(/'create-change-set' .*'--parameters' 'ParameterKey=Env,UsePreviousValue=true'/);
    expect(changeSets()).toBe(0);
    expect(stackTemplate()).toBe(stack);

    const first = await ok(w, 'migrate.sh', [], env);
    expect(first).not.toContain('ERROR');
    expect(first).toMatch(/Modify\s+Role1\s+AWS::IAM::Role\s+False\s+Properties\/AssumeRolePolicyDocument/);
    await expectStackAt(w, env, 'transition');
    expect(associationSummaries(eks!)).toContainEqual(expect.objectContaining({ serviceAccount: 'cart', roleArn: ROLE_ARN }));
    expect(annotation(w, 'shop', 'cart')).toBeUndefined();
    const created = cfn!.state.requests.find((r) => r.action === 'CreateChangeSet')!;
    expect(created.params).toMatchObject({
      'Capabilities.member.1': 'CAPABILITY_IAM',
      'Capabilities.member.2': 'CAPABILITY_NAMED_IAM',
      'Parameters.member.1.ParameterKey': 'Env',
      'Parameters.member.1.UsePreviousValue': 'true',
    });
    expect(created.params.ChangeSetName).toMatch(/^irsa2pi-transition-/);

    // Terraform's roles and add-on: a NOTE, their identities keep IRSA, exit 0.
    expect(first).toMatch(/NOTE: reports-reader \(111122223333\): its trust is managed by Terraform aws_iam_role\.reports in workspace platform/);
    expect(first).toMatch(
      /NOTE: c1\/vpc-cni is managed by Terraform module\.eks\.aws_eks_addon\.this\["vpc-cni"\]|not added to add-on vpc-cni \(waiting for its owner/,
    );
    for (const [ns, sa] of [
      ['reports', 'reporter'],
      ['external-dns', 'external-dns'],
      ['kube-system', 'aws-node'],
    ] as const) {
      expect(annotation(w, ns, sa), `${ns}/${sa}`).toBe(w.plan.associations.find((a) => a.serviceAccount === sa)!.currentRoleArn);
    }
    expect(associationSummaries(eks!).map((a) => a.serviceAccount)).not.toContain('reporter');
    for (const arn of ['reports-reader', 'external-dns-irsa', 'lb-controller-irsa', 'vpc-cni-irsa'].map((n) => `arn:aws:iam::${ACCOUNT}:role/${n}`))
      expect(await liveTrust(accounts, arn)).toEqual(planned(w, arn).trustPolicy.current);

    // Again: no second change set, nothing changes.
    const sets = changeSets();
    const again = await ok(w, 'migrate.sh', [], env);
    expect(again).toContain(`${ROLE} (${ACCOUNT}): trust already at transition (and so is the template of stack ${STACK})`);
    expect(changeSets()).toBe(sets);

    // The operator applies Terraform's transition trust of reports-reader (jsonencode: keys sorted): the next run goes ahead.
    const reports = planned(w, `arn:aws:iam::${ACCOUNT}:role/reports-reader`);
    await new IAMClient(sdkConfig(moto!.endpoint)).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'reports-reader', PolicyDocument: JSON.stringify(sortedKeys(reports.trustPolicy.transition)) }),
    );
    const applied = await ok(w, 'migrate.sh', [], env);
    expect(applied).toContain('reports-reader (111122223333): trust already at transition');
    expect(annotation(w, 'reports', 'reporter')).toBeUndefined();
    expect(associationSummaries(eks!)).toContainEqual(expect.objectContaining({ serviceAccount: 'reporter', roleArn: reports.arn }));

    const fin = await ok(w, 'finalize.sh', [], env);
    expect(fin).not.toContain('ERROR');
    expect(fin).toMatch(/NOTE: c1\/external-dns\/external-dns: not verified, not migrated yet: the trust of external-dns-irsa is managed by Terraform/);
    expect(fin).toMatch(/NOTE: c1\/kube-system\/aws-node: not verified, not migrated yet: the trust of vpc-cni-irsa is managed by Terraform/);
    expect(fin).not.toMatch(/external-dns: pod \S+ still has AWS_ROLE_ARN/);
    expect(fin).toMatch(/NOTE: reports-reader \(111122223333\): .* every identity it serves is migrated: apply its final trust there/);
    expect(fin).toMatch(/NOTE: external-dns-irsa \(111122223333\): .* not every identity it serves is migrated yet, so keep its transition trust there/);
    await expectStackAt(w, env, 'final');
    expect(cfn!.state.requests.filter((r) => r.action === 'CreateChangeSet').at(-1)!.params.ChangeSetName).toMatch(/^irsa2pi-final-/);

    const back = await ok(w, 'rollback.sh', [], env);
    expect(back).toMatch(/NOTE: reports-reader \(111122223333\): its trust is managed by Terraform/);
    await expectStackAt(w, env, 'current');
    expect(annotation(w, 'shop', 'cart')).toBe(ROLE_ARN);

    const log = await calls();
    expect(log.filter((c) => c.includes('create-change-set'))).toHaveLength(4);
    const owned = ['eksctl-c1-addon', 'reports-reader', 'external-dns-irsa', 'lb-controller-irsa', 'vpc-cni-irsa'];
    expect(log.filter((c) => c.includes('update-assume-role-policy') && owned.some((o) => c.includes(o)))).toEqual([]);
    expect(log.filter((c) => c.includes('update-assume-role-policy'))).not.toEqual([]);
    expect(log.filter((c) => c.includes('update-addon'))).toEqual([]);
  }, 900_000);

  it('a change set that changes more than the trust is deleted, not executed; the identity keeps IRSA', async () => {
    const { w, env } = await load([
      {
        action: 'Modify',
        logicalId: 'Role1',
        type: 'AWS::IAM::Role',
        physicalId: ROLE,
        replacement: 'False',
        details: [{ name: 'ManagedPolicyArns', requiresRecreation: 'Never' }],
      },
    ]);
    const r = await run(w, 'migrate.sh', [], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /change set irsa2pi-transition-\S+ of stack \S+ changes more than the AssumeRolePolicyDocument of Role1 .*so it is not executed; deleted/,
    );
    expect(r.stdout).toMatch(
      /Modify Role1 AWS::IAM::Role False Properties\/AssumeRolePolicyDocument\n\s+Modify Role1 AWS::IAM::Role False Properties\/ManagedPolicyArns\n/,
    );
    expect(cfn!.state.requests.map((q) => q.action)).not.toContain('ExecuteChangeSet');
    expect(cfn!.state.changeSets.size).toBe(0);
    expect(stackTemplate()).toEqual(template);
    expect(await liveTrust(accounts, ROLE_ARN)).toEqual(planned(w, ROLE_ARN).trustPolicy.current);
    expect(annotation(w, 'shop', 'cart')).toBe(ROLE_ARN);
    expect(associationSummaries(eks!).map((a) => a.serviceAccount)).not.toContain('cart');
    expect(r.stderr).not.toMatch(/reports-reader|external-dns|vpc-cni/);
  }, 600_000);

  it('a drifted template and a stack that cannot take an update are left alone (ERROR), with no change set', async () => {
    const { w, env, calls } = await load();
    const t = stackTemplate();
    t.Resources.Role1!.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/AdministratorAccess'];
    const drift = await run(w, 'migrate.sh', ['--phase', 'trust'], env);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain(`the template of stack ${STACK} (${REGION}) matches neither stack/${ACCOUNT}-${ROLE}.current.json nor`);
    const forced = await run(w, 'migrate.sh', ['--phase', 'trust'], { ...env, ALLOW_DRIFT: '1' });
    expect(forced.code).toBe(1);
    expect(changeSets()).toBe(0);

    cfn!.state.stacks.get(`${REGION}/${STACK}`)!.template = structuredClone(template);
    cfn!.state.stacks.get(`${REGION}/${STACK}`)!.status = 'UPDATE_ROLLBACK_FAILED';
    const failed = await run(w, 'migrate.sh', [], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`its stack ${STACK} (${REGION}) is UPDATE_ROLLBACK_FAILED, not in a state that takes an update`);
    expect(changeSets()).toBe(0);
    expect(await liveTrust(accounts, ROLE_ARN)).toEqual(planned(w, ROLE_ARN).trustPolicy.current);
    expect(annotation(w, 'shop', 'cart')).toBe(ROLE_ARN);

    // A stack whose Role1 is another role (a role tag can name any stack): that role is not changed through it.
    const seeded = cfn!.state.stacks.get(`${REGION}/${STACK}`)!;
    seeded.status = 'UPDATE_COMPLETE';
    seeded.resources = [{ logicalId: 'Role1', type: 'AWS::IAM::Role', physicalId: 'someone-else' }];
    const other = await run(w, 'migrate.sh', ['--phase', 'trust'], env);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`resource Role1 of stack ${STACK} (${REGION}) is someone-else, not this role; its trust is not changed`);
    expect(changeSets()).toBe(0);
    expect((await calls()).filter((c) => c.includes('update-assume-role-policy') && c.includes(ROLE))).toEqual([]);
  }, 600_000);
});
