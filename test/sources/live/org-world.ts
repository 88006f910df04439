/**
 * An AWS Organization in moto for the organisation-wide `collect` tests: a management account, two
 * workload accounts (cluster `shop` in eu-west-1, cluster `pay` in us-east-1) in an organisational
 * unit and a unit below it, a data account holding the IRSA target role `shop` pods use, an account
 * whose role refuses to be assumed, and a closed (suspended) account.
 * @module
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EKSClient, DescribeClusterCommand } from '@aws-sdk/client-eks';
import { IAMClient, CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  OrganizationsClient,
  CreateOrganizationCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  ListRootsCommand,
  MoveAccountCommand,
  CloseAccountCommand,
} from '@aws-sdk/client-organizations';
import { startMoto, MOTO_DEFAULT_ACCOUNT_ID, sdkConfig, awsEnv, createEmulatedCluster, type MotoServer, type SdkConfig } from '../../helpers/moto.js';
import { startEksShim, type EksShim } from '../../helpers/eks-shim.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../../helpers/kube-fake.js';
import { startStsFront, type StsFront } from './sts-front.js';

export const MGMT = MOTO_DEFAULT_ACCOUNT_ID;
export const WEST = 'eu-west-1';
export const EAST = 'us-east-1';

/** The organisation and what runs in it. */
export interface OrgWorld {
  moto: MotoServer;
  shim: EksShim;
  front: StsFront;
  kubeA: KubeFake;
  kubeB: KubeFake;
  /** Account ids by role in the estate. */
  accounts: { workA: string; workB: string; data: string; locked: string; closed: string };
  /** The organisational unit holding workA, and the unit below it holding workB. */
  ou: string;
  nestedOu: string;
  /** Cluster ARNs. */
  shopArn: string;
  payArn: string;
  kubeconfig: string;
  dir: string;
  /** Environment of the management account's caller, through the front. */
  env: Record<string, string>;
  /** `--context` values reaching both clusters. */
  contexts: string[];
  /** SDK settings acting inside `account` (credentials from AssumeRole, straight to the shim). */
  inside(account: string, region: string): Promise<SdkConfig & { credentials: { sessionToken?: string } }>;
  stop(): Promise<void>;
}

const irsaTrust = (account: string, issuer: string, namespace: string, sa: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${sa}`, [`${issuer}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  });

function serviceAccount(namespace: string, name: string, roleArn: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace, uid: randomUUID(), resourceVersion: '1', annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
  };
}
function pod(namespace: string, name: string, sa: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: randomUUID(), resourceVersion: '1' },
    spec: { serviceAccountName: sa, containers: [{ name: 'app', image: 'public.ecr.aws/docker/library/busybox:1.36' }] },
    status: { phase: 'Running' },
  };
}

/** Builds the organisation. */
export async function buildOrgWorld(): Promise<OrgWorld> {
  const moto = await startMoto({ accountFromCredentials: true });
  const shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: MGMT });
  const lockedBox: { id?: string } = {};
  const front = await startStsFront(shim.endpoint, (account) => account === lockedBox.id);

  const org = new OrganizationsClient(sdkConfig(shim.endpoint, EAST));
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const root = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const ou = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'workloads' }))).OrganizationalUnit!.Id!;
  const nestedOu = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: ou, Name: 'payments' }))).OrganizationalUnit!.Id!;
  const create = async (name: string) =>
    (await org.send(new CreateAccountCommand({ Email: `${name}@example.com`, AccountName: name }))).CreateAccountStatus!.AccountId!;
  const accounts = {
    workA: await create('work-a'),
    workB: await create('work-b'),
    data: await create('data'),
    locked: await create('locked'),
    closed: await create('closed'),
  };
  lockedBox.id = accounts.locked;
  await org.send(new MoveAccountCommand({ AccountId: accounts.workA, SourceParentId: root, DestinationParentId: ou }));
  await org.send(new MoveAccountCommand({ AccountId: accounts.workB, SourceParentId: root, DestinationParentId: nestedOu }));
  await org.send(new CloseAccountCommand({ AccountId: accounts.closed }));
  org.destroy();

  const sts = new STSClient(sdkConfig(shim.endpoint, EAST));
  const inside = async (account: string, region: string) => {
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, RoleSessionName: 'seed' })))
      .Credentials!;
    return { endpoint: shim.endpoint, region, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } };
  };

  const seedCluster = async (account: string, region: string, name: string) => {
    const eks = new EKSClient(await inside(account, region));
    await createEmulatedCluster(eks, name, account);
    const cluster = (await eks.send(new DescribeClusterCommand({ name }))).cluster!;
    eks.destroy();
    return { arn: cluster.arn!, issuer: cluster.identity!.oidc!.issuer!.replace(/^https:\/\//, '') };
  };
  const seedIam = async (account: string, issuer: string, roles: { name: string; namespace: string; sa: string }[]) => {
    const iam = new IAMClient(await inside(account, EAST));
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${issuer}`,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
      }),
    );
    for (const r of roles) await iam.send(new CreateRoleCommand({ RoleName: r.name, AssumeRolePolicyDocument: irsaTrust(account, issuer, r.namespace, r.sa) }));
    iam.destroy();
  };
  const shop = await seedCluster(accounts.workA, WEST, 'shop');
  const pay = await seedCluster(accounts.workB, EAST, 'pay');
  await seedIam(accounts.workA, shop.issuer, [{ name: 'shop-local', namespace: 'shop', sa: 'local' }]);
  await seedIam(accounts.data, shop.issuer, [{ name: 'data-reader', namespace: 'shop', sa: 'reader' }]);
  await seedIam(accounts.workB, pay.issuer, [{ name: 'pay-writer', namespace: 'pay', sa: 'writer' }]);
  await seedIam(accounts.locked, pay.issuer, [{ name: 'locked-role', namespace: 'pay', sa: 'writer' }]);
  // Every real account has roles (service-linked ones at least); the one-account-at-a-time collection
  // names a bundle's account from its role ARNs.
  const mgmtIam = new IAMClient(sdkConfig(shim.endpoint, EAST));
  await mgmtIam.send(
    new CreateRoleCommand({
      RoleName: 'auditor',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MGMT}:root` }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  mgmtIam.destroy();
  sts.destroy();

  const kubeA = await startKubeFake(
    [
      serviceAccount('shop', 'reader', `arn:aws:iam::${accounts.data}:role/data-reader`),
      serviceAccount('shop', 'local', `arn:aws:iam::${accounts.workA}:role/shop-local`),
      pod('shop', 'reader-0', 'reader'),
      pod('shop', 'local-0', 'local'),
    ],
    { pageSize: 1 },
  );
  const kubeB = await startKubeFake([serviceAccount('pay', 'writer', `arn:aws:iam::${accounts.workB}:role/pay-writer`), pod('pay', 'writer-0', 'writer')]);
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-org-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: {server: "${kubeA.server}", insecure-skip-tls-verify: true}
- name: b
  cluster: {server: "${kubeB.server}", insecure-skip-tls-verify: true}
users:
- name: u
  user: {}
contexts:
- name: ka
  context: {cluster: a, user: u}
- name: kb
  context: {cluster: b, user: u}
current-context: ka
`,
  );
  return {
    moto,
    shim,
    front,
    kubeA,
    kubeB,
    accounts,
    ou,
    nestedOu,
    shopArn: shop.arn,
    payArn: pay.arn,
    kubeconfig,
    dir,
    env: { ...awsEnv(front.endpoint, EAST), KUBECONFIG: kubeconfig },
    contexts: [`${shop.arn}=ka`, `${pay.arn}=kb`],
    inside,
    async stop() {
      await kubeA.stop();
      await kubeB.stop();
      await front.stop();
      await shim.stop();
      await moto.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
