/**
 * An organisation-wide `collect` over a generated AWS Organization in the emulators (moto's
 * Organizations, STS and IAM, the EKS shim, one Kubernetes fake): 50 member accounts, each with a role
 * trusting its cluster and one cluster in one of 3 regions, the cluster with the vpc-cni add-on. Counts
 * the API calls against the fewest the APIs allow for what collect reads (IAM, EKS with each add-on
 * version's configuration, CloudFormation per account and region), and times the scan against the same
 * accounts collected one at a time.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { KubeConfig } from '@kubernetes/client-node';
import { EKSClient, DescribeClusterCommand } from '@aws-sdk/client-eks';
import { IAMClient, CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { OrganizationsClient, CreateOrganizationCommand, CreateAccountCommand } from '@aws-sdk/client-organizations';
import { collectEvidence, type CollectOptions } from '../src/sources/live/collect.js';
import { KUBE_RESOURCES } from '../src/sources/live/kubernetes.js';
import { startMoto, sdkConfig, awsEnv, createEmulatedCluster } from '../test/helpers/moto.js';
import { startEksShim } from '../test/helpers/eks-shim.js';
import { startKubeFake, type KubeObject } from '../test/helpers/kube-fake.js';

const ACCOUNTS = 50;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
/** `MaxResults` of ListAccounts the collector asks for, the most Organizations allows. */
const ORG_PAGE = 20;
/** The vpc-cni version of every cluster (one the EKS shim knows). */
const ADDON_VERSION = 'v1.19.0-eksbuild.1';

/** `calls` against `minimum`; a call made where none was needed is `extra`. */
function ratio(calls: number, minimum: number): string {
  if (minimum === 0) return calls === 0 ? '-' : 'extra';
  return `${(calls / minimum).toFixed(2)}x`;
}

function kubeObjects(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < 10; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: `sa-${i}`, namespace: 'apps', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::000000000000:role/app' } },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pod-${i}`, namespace: 'apps' },
      spec: { serviceAccountName: `sa-${i}`, containers: [{ name: 'app', image: 'app:1' }] },
    });
  }
  return out;
}

/** Builds the organisation, runs the scans, prints the tables. */
export async function orgBench(): Promise<void> {
  const moto = await startMoto({ accountFromCredentials: true });
  const shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: '123456789012' });
  const kube = await startKubeFake(kubeObjects());
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-bench-org-'));
  const savedEnv = { ...process.env };
  try {
    const setupStart = Date.now();
    const org = new OrganizationsClient(sdkConfig(shim.endpoint, REGIONS[0]));
    const sts = new STSClient(sdkConfig(shim.endpoint, REGIONS[0]));
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const ids: string[] = [];
    for (let a = 0; a < ACCOUNTS; a++)
      ids.push((await org.send(new CreateAccountCommand({ Email: `m${a}@example.com`, AccountName: `member-${a}` }))).CreateAccountStatus!.AccountId!);
    const names: string[] = [];
    for (const [a, id] of ids.entries()) {
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/OrganizationAccountAccessRole`, RoleSessionName: 'seed' })))
        .Credentials!;
      const region = REGIONS[a % REGIONS.length]!;
      const credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
      const eks = new EKSClient({ endpoint: shim.endpoint, region, credentials });
      const iam = new IAMClient({ endpoint: shim.endpoint, region, credentials });
      const name = `cluster-${a}`;
      names.push(name);
      await createEmulatedCluster(eks, name, id);
      shim.seedAddon({ clusterName: name, addonName: 'vpc-cni', region, addonVersion: ADDON_VERSION });
      const issuer = (await eks.send(new DescribeClusterCommand({ name }))).cluster!.identity!.oidc!.issuer!.replace(/^https:\/\//, '');
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: `https://${issuer}`,
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        }),
      );
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'app',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: `arn:aws:iam::${id}:oidc-provider/${issuer}` },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringEquals: { [`${issuer}:sub`]: 'system:serviceaccount:apps:sa-0' } },
              },
            ],
          }),
        }),
      );
      eks.destroy();
      iam.destroy();
    }
    org.destroy();
    sts.destroy();
    const setupMs = Date.now() - setupStart;

    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster: {server: "${kube.server}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: fake\n  context: {cluster: fake, user: u}\ncurrent-context: fake\n`,
    );
    Object.assign(process.env, awsEnv(shim.endpoint, REGIONS[0]));
    const base: CollectOptions = {
      regions: REGIONS,
      contexts: names.map((n) => `${n}=fake`),
      loadKubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfig);
        return kc;
      },
    };
    const selection = { organization: true, accounts: [], assumeRole: 'OrganizationAccountAccessRole' };

    const operations: string[] = [];
    kube.requests.length = 0;
    const orgStart = Date.now();
    const result = await collectEvidence({ ...base, accounts: selection, onAwsOperation: (op) => operations.push(op) });
    const orgMs = Date.now() - orgStart;
    if (result.gaps.length > 0) throw new Error(`the organisation scan left scan gaps: ${JSON.stringify(result.gaps.slice(0, 3))}`);
    const kubeCalls = kube.requests.length;

    const oneStart = Date.now();
    for (const id of ['123456789012', ...ids]) {
      const one = await collectEvidence({ ...base, accounts: { organization: false, accounts: [id], assumeRole: 'OrganizationAccountAccessRole' } });
      if (one.gaps.length > 0) throw new Error(`account ${id} left scan gaps`);
    }
    const oneByOneMs = Date.now() - oneStart;

    const all = ACCOUNTS + 1;
    const count = (op: string) => operations.filter((o) => o === op).length;
    /** Each account and region's stacks: the bundle's `cloudformation-stacks.json` files list them (the members have none). */
    const stackFiles = result.files.filter((f) => f.path.endsWith('/cloudformation-stacks.json'));
    const stacks = stackFiles.flatMap((f) => (JSON.parse(f.content) as { Stacks: { StackName: string }[] }).Stacks);
    const roleStacks = result.files.filter((f) => /\/cloudformation-template-[^/]+\.json$/.test(f.path)).length;
    /** Distinct `<account>/<region>/<add-on>/<version>`: one cluster per account, so one per cluster here. */
    const addonVersions = new Set(
      result.files
        .filter((f) => /\/addon-cluster-\d+-[^/]+\.json$/.test(f.path))
        .map((f) => {
          const addon = (JSON.parse(f.content) as { addon: { addonName: string; addonVersion: string } }).addon;
          return `${f.path.split('/').slice(1, 3).join('/')}/${addon.addonName}/${addon.addonVersion}`;
        }),
    );
    const expected: [string, number][] = [
      ['organizations:ListAccounts', Math.ceil(all / ORG_PAGE)],
      ['sts:GetCallerIdentity', 1],
      ['sts:AssumeRole', ACCOUNTS],
      ['iam:GetAccountAuthorizationDetails', all],
      ['iam:ListOpenIDConnectProviders', all],
      ['eks:ListClusters', all * REGIONS.length],
      ['eks:DescribeCluster', ACCOUNTS],
      ['eks:ListAddons', ACCOUNTS],
      ['eks:DescribeAddon', ACCOUNTS],
      ['eks:DescribeAddonConfiguration', addonVersions.size],
      ['eks:ListPodIdentityAssociations', ACCOUNTS],
      // One DescribeStacks page per account and region; resources of each stack, the template of each holding a role.
      ['cloudformation:DescribeStacks', all * REGIONS.length],
      ['cloudformation:DescribeStackResources', stacks.length],
      ['cloudformation:GetTemplate', roleStacks],
    ];
    if (stackFiles.length !== all * REGIONS.length)
      throw new Error(`expected ${all * REGIONS.length} cloudformation-stacks.json files, got ${stackFiles.length}`);
    if (addonVersions.size !== ACCOUNTS) throw new Error(`expected ${ACCOUNTS} add-on versions in use, got ${addonVersions.size}`);
    const rows = expected.map(([op, minimum]) => [op, count(op), minimum, ratio(count(op), minimum)]);
    for (const op of [...new Set(operations)].sort()) if (!expected.some(([o]) => o === op)) rows.push([op, count(op), 0, 'extra']);
    const kubeMin = ACCOUNTS * KUBE_RESOURCES.length;
    rows.push(['k8s:list (all resources)', kubeCalls, kubeMin, ratio(kubeCalls, kubeMin)]);
    const total = rows.reduce((s, r) => s + Number(r[1]), 0);
    const totalMin = rows.reduce((s, r) => s + Number(r[2]), 0);
    rows.push(['total', total, totalMin, ratio(total, totalMin)]);
    const table = new Table({ head: ['operation', 'calls', 'minimum', 'ratio'] });
    for (const r of rows) table.push(r);
    process.stdout.write(
      `Organisation-wide collect: ${ACCOUNTS} member accounts + the management account, ${REGIONS.length} regions each, ` +
        `${ACCOUNTS} clusters (one per member, regions in turn, each with vpc-cni ${ADDON_VERSION}), ${kubeObjects().length} Kubernetes objects each (setup ${(setupMs / 1000).toFixed(1)} s)\n`,
    );
    process.stdout.write(`${table.toString()}\n`);
    const times = new Table({ head: ['run', 'wall s', 'vs one scan'] });
    times.push(['collect --organization (one scan, concurrency 8)', (orgMs / 1000).toFixed(1), '1.00x']);
    times.push([`collect --account, one account at a time (${ACCOUNTS + 1} runs)`, (oneByOneMs / 1000).toFixed(1), `${(oneByOneMs / orgMs).toFixed(2)}x`]);
    process.stdout.write(`${times.toString()}\n`);
    process.stdout.write(
      'note: moto answers from one single-threaded Python process, so concurrency gains here understate those against AWS, where each account and region is served apart.\n',
    );
  } finally {
    process.env = savedEnv;
    await kube.stop().catch(() => undefined);
    await shim.stop().catch(() => undefined);
    await moto.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
