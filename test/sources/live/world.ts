/**
 * A moto + EKS shim + kube fake world built from fixtures/basic, for the `collect` tests.
 * @module
 */
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EKSClient, DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  IAMClient,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  PutRolePolicyCommand,
  AttachRolePolicyCommand,
  CreatePolicyCommand,
} from '@aws-sdk/client-iam';
import { startMoto, sdkConfig, awsEnv, createEmulatedCluster, type MotoServer } from '../../helpers/moto.js';
import { startEksShim, type EksShim } from '../../helpers/eks-shim.js';
import { startKubeFake, objectsFromFile, type KubeFake } from '../../helpers/kube-fake.js';
import { freePort, runCommand } from '../../helpers/exec.js';
import { vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

export const ACCT = '111122223333';
export const REGION = 'eu-west-1';
const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIXTURE = join(ROOT, 'fixtures', 'basic');
const FIXTURE_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/7948EE6781F420439410EF2FE581C082';

export interface World {
  moto: MotoServer;
  shim: EksShim;
  kube: KubeFake;
  /** kubeconfig with contexts `fake` (the kube fake) and `dead` (a closed port). */
  kubeconfig: string;
  dir: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Builds fixtures/basic in moto (cluster c1, and c2 when `withC2`), the shim and the kube fake. */
export async function buildWorld(opts: { withC2?: boolean; associations?: number } = {}): Promise<World> {
  const moto = await startMoto({ accountId: ACCT });
  const shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: ACCT });
  const eks = new EKSClient(sdkConfig(shim.endpoint, REGION));
  const iam = new IAMClient(sdkConfig(shim.endpoint, REGION));
  // moto loads its CloudFormation backend on the first request, seconds on a busy machine: do it here, not
  // inside a collection whose tests set short request deadlines.
  await new CloudFormationClient(sdkConfig(shim.endpoint, REGION)).send(new DescribeStacksCommand({}));
  const clusters = opts.withC2 ? ['c1', 'c2'] : ['c1'];
  for (const name of clusters) {
    await createEmulatedCluster(eks, name, ACCT);
  }
  const issuer = (await eks.send(new DescribeClusterCommand({ name: 'c1' }))).cluster!.identity!.oidc!.issuer!;
  await iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }),
  );
  const motoIssuer = issuer.replace(/^https:\/\//, '');
  const details = JSON.parse(
    readFileSync(join(FIXTURE, 'aws', ACCT, 'iam-authorization-details.json'), 'utf8')
      .split(FIXTURE_ISSUER)
      .join(motoIssuer),
  );
  for (const r of details.RoleDetailList) {
    await iam.send(new CreateRoleCommand({ RoleName: r.RoleName, Path: r.Path, AssumeRolePolicyDocument: JSON.stringify(r.AssumeRolePolicyDocument) }));
    for (const p of r.RolePolicyList)
      await iam.send(new PutRolePolicyCommand({ RoleName: r.RoleName, PolicyName: p.PolicyName, PolicyDocument: JSON.stringify(p.PolicyDocument) }));
    for (const p of r.AttachedManagedPolicies) {
      // moto loads only some AWS managed policies; those it lacks are left out of the world.
      await iam.send(new AttachRolePolicyCommand({ RoleName: r.RoleName, PolicyArn: p.PolicyArn })).catch(() => undefined);
    }
  }
  const local = await iam.send(
    new CreatePolicyCommand({
      PolicyName: 'node-extra',
      Path: '/team/',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] }),
    }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'eks-node-role', PolicyArn: local.Policy!.Arn! }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'eks-node-role', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' })).catch(() => undefined);
  eks.destroy();
  iam.destroy();

  shim.seedAddon({ clusterName: 'c1', addonName: 'eks-pod-identity-agent', region: REGION, addonVersion: 'v1.3.4-eksbuild.1' });
  shim.seedAssociation({
    clusterName: 'c1',
    region: REGION,
    namespace: 'shop',
    serviceAccount: 'cart-reader',
    roleArn: `arn:aws:iam::${ACCT}:role/s3-readers`,
  });
  for (let i = 0; i < (opts.associations ?? 4); i++) {
    shim.seedAssociation({
      clusterName: 'c1',
      region: REGION,
      namespace: `team-${i}`,
      serviceAccount: `sa-${i}`,
      roleArn: `arn:aws:iam::${ACCT}:role/eks-node-role`,
    });
  }

  const kube = await startKubeFake(await objectsFromFile(join(FIXTURE, 'kubernetes', 'c1', 'resources.yaml')), { pageSize: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-live-'));
  const deadPort = await freePort();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${kube.server}
    insecure-skip-tls-verify: true
- name: dead
  cluster:
    server: http://127.0.0.1:${deadPort}
    insecure-skip-tls-verify: true
users:
- name: u
  user: {}
contexts:
- name: fake
  context: {cluster: fake, user: u}
- name: dead
  context: {cluster: dead, user: u}
current-context: fake
`,
  );
  const env = { ...awsEnv(shim.endpoint, REGION), KUBECONFIG: kubeconfig };
  return {
    moto,
    shim,
    kube,
    kubeconfig,
    dir,
    env,
    async stop() {
      await kube.stop();
      await shim.stop();
      await moto.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The README's collection snippet, run for real with the AWS CLI v1 and kubectl, into `out`. */
export async function handWrittenBundle(world: World, out: string, clusters: string[]): Promise<void> {
  const aws = async (file: string, ...args: string[]) => {
    const r = await runCommand('aws', [...args, '--output', 'json'], { env: world.env });
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')}: ${r.stderr}`);
    if (file) {
      mkdirSync(join(out, file, '..'), { recursive: true });
      writeFileSync(join(out, file), r.stdout);
    }
    return JSON.parse(r.stdout) as Record<string, any>;
  };
  const gaad = await aws('', 'iam', 'get-account-authorization-details');
  // moto fault: its GetAccountAuthorizationDetails omits Policies[].PolicyName (real IAM prints it).
  for (const p of gaad.Policies as Record<string, string | undefined>[]) p.PolicyName ??= p.Arn!.split('/').pop()!;
  mkdirSync(join(out, 'aws', ACCT), { recursive: true });
  writeFileSync(join(out, 'aws', ACCT, 'iam-authorization-details.json'), JSON.stringify(gaad, null, 4));
  await aws(`aws/${ACCT}/oidc-providers.json`, 'iam', 'list-open-id-connect-providers');
  const stacks = await aws(`aws/${ACCT}/${REGION}/cloudformation-stacks.json`, 'cloudformation', 'describe-stacks');
  for (const { StackName: stack } of stacks.Stacks as { StackName: string }[]) {
    const resources = await aws(
      `aws/${ACCT}/${REGION}/cloudformation-resources-${stack}.json`,
      'cloudformation',
      'describe-stack-resources',
      '--stack-name',
      stack,
    );
    if ((resources.StackResources as { ResourceType: string }[]).some((r) => r.ResourceType === 'AWS::IAM::Role'))
      await aws(
        `aws/${ACCT}/${REGION}/cloudformation-template-${stack}.json`,
        'cloudformation',
        'get-template',
        '--stack-name',
        stack,
        '--template-stage',
        'Original',
      );
  }
  for (const c of clusters) {
    await aws(`aws/${ACCT}/${REGION}/cluster-${c}.json`, 'eks', 'describe-cluster', '--name', c);
    for (const a of (await aws('', 'eks', 'list-addons', '--cluster-name', c)).addons as string[]) {
      await aws(`aws/${ACCT}/${REGION}/addon-${c}-${a}.json`, 'eks', 'describe-addon', '--cluster-name', c, '--addon-name', a);
    }
    for (const s of (await aws('', 'eks', 'list-pod-identity-associations', '--cluster-name', c)).associations as { associationId: string }[]) {
      await aws(
        `aws/${ACCT}/${REGION}/pod-identity-association-${s.associationId}.json`,
        'eks',
        'describe-pod-identity-association',
        '--cluster-name',
        c,
        '--association-id',
        s.associationId,
      );
    }
    const k = await runCommand(
      'kubectl',
      [
        '--kubeconfig',
        world.kube.kubeconfigPath,
        '--cache-dir',
        join(world.dir, 'kcache'),
        'get',
        'serviceaccounts,pods,nodes,deployments,statefulsets,daemonsets,replicasets,jobs,cronjobs',
        '-A',
        '-o',
        'json',
      ],
      {},
    );
    if (k.code !== 0) throw new Error(`kubectl: ${k.stderr}`);
    mkdirSync(join(out, 'kubernetes', c), { recursive: true });
    writeFileSync(join(out, 'kubernetes', c, 'resources.json'), k.stdout);
  }
}

/** Runs the CLI in-process with the world's environment (or `world.env` as given), capturing stderr. */
export async function runCli(world: Pick<World, 'env'>, args: string[]): Promise<{ code: number; stderr: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, world.env);
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stderr };
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
}
