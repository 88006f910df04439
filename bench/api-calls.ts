/**
 * API calls per operation of one `collectEvidence` run over a generated account in the emulators
 * (moto + the EKS shim + one Kubernetes fake per cluster), against the fewest calls the APIs allow:
 * pages of 1,000 IAM items, 100 clusters / associations / add-ons, 500 Kubernetes objects, and one
 * describe per cluster, association and add-on.
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { KubeConfig } from '@kubernetes/client-node';
import { EKSClient, DescribeClusterCommand } from '@aws-sdk/client-eks';
import {
  IAMClient,
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  GetAccountAuthorizationDetailsCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { collectEvidence } from '../src/sources/live/collect.js';
import { KUBE_RESOURCES } from '../src/sources/live/kubernetes.js';
import { startMoto, sdkConfig, awsEnv, createEmulatedCluster, type MotoServer } from '../test/helpers/moto.js';
import { startEksShim, type EksShim } from '../test/helpers/eks-shim.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../test/helpers/kube-fake.js';

const ACCT = '111122223333';
const REGION = 'eu-west-1';

/** The generated account. */
export interface ApiAccount {
  readonly roles: number;
  readonly localPolicies: number;
  readonly clusters: number;
  /** Pod Identity associations per cluster (sum ≈ 250). */
  readonly associationsPerCluster: readonly number[];
  readonly addonsPerCluster: number;
  /** Kubernetes objects per resource, per cluster (sum 1,200). */
  readonly kubeObjects: Readonly<Record<string, number>>;
}

export const API_ACCOUNT: ApiAccount = {
  roles: 2_500,
  localPolicies: 40,
  clusters: 3,
  associationsPerCluster: [130, 75, 45],
  addonsPerCluster: 3,
  kubeObjects: {
    serviceaccounts: 300,
    pods: 520,
    nodes: 20,
    deployments: 100,
    statefulsets: 20,
    daemonsets: 5,
    replicasets: 200,
    jobs: 25,
    cronjobs: 10,
  },
};

/** Pages of this many items at most, per API. */
const PAGE = { iam: 1_000, eks: 100, kube: 500 } as const;
const ADDONS = ['coredns', 'eks-pod-identity-agent', 'vpc-cni', 'kube-proxy', 'aws-ebs-csi-driver'];

/** One row of the result table. */
export interface ApiCallRow {
  readonly operation: string;
  readonly calls: number;
  readonly minimum: number;
  /** calls / minimum; 1 is optimal. */
  readonly ratio: number;
}

/** Runs `fn` over `items` with at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const clusterName = (c: number) => `bench-${c + 1}`;
const ns = (i: number) => `team-${String(i % 25).padStart(2, '0')}`;

/** Deterministic objects of one cluster: names, namespaces and pod service accounts only. */
function kubeObjects(account: ApiAccount): KubeObject[] {
  const out: KubeObject[] = [];
  for (const r of KUBE_RESOURCES) {
    const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    const n = account.kubeObjects[r.resource] ?? 0;
    for (let i = 0; i < n; i++) {
      const name = `${r.resource.replace(/s$/, '')}-${String(i).padStart(4, '0')}`;
      const metadata = r.namespaced ? { name, namespace: ns(i) } : { name };
      const o: KubeObject = { apiVersion, kind: r.kind, metadata };
      if (r.resource === 'pods')
        o.spec = {
          serviceAccountName: `sa-${String(i % (account.kubeObjects.serviceaccounts ?? 1)).padStart(4, '0')}`,
          containers: [{ name: 'app', image: 'app:1' }],
        };
      out.push(o);
    }
  }
  return out;
}

interface World {
  moto: MotoServer;
  shim: EksShim;
  kubes: KubeFake[];
  dir: string;
  kubeconfig: string;
}

async function buildWorld(account: ApiAccount, world: Partial<World>): Promise<World> {
  world.moto = await startMoto({ accountId: ACCT });
  world.shim = await startEksShim({ motoEndpoint: world.moto.endpoint, accountId: ACCT });
  const eks = new EKSClient(sdkConfig(world.shim.endpoint, REGION));
  // IAM straight to moto (the shim only forwards it), with limited concurrency.
  const iam = new IAMClient({ ...sdkConfig(world.moto.endpoint, REGION), maxAttempts: 5 });
  try {
    const issuers: string[] = [];
    for (let c = 0; c < account.clusters; c++) {
      const name = clusterName(c);
      await createEmulatedCluster(eks, name, ACCT);
      const issuer = (await eks.send(new DescribeClusterCommand({ name }))).cluster!.identity!.oidc!.issuer!;
      const host = issuer.replace(/^https:\/\//, '');
      // moto gives every cluster of a process the same issuer: one provider per distinct issuer.
      if (issuers.includes(host)) continue;
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: issuer,
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        }),
      );
      issuers.push(host);
    }
    const policyArns: string[] = [];
    for (let p = 0; p < account.localPolicies; p++) {
      const r = await iam.send(
        new CreatePolicyCommand({
          PolicyName: `bench-policy-${String(p).padStart(3, '0')}`,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${p}/*` }],
          }),
        }),
      );
      policyArns.push(r.Policy!.Arn!);
    }
    const roles = Array.from({ length: account.roles }, (_, i) => i);
    await pool(roles, 16, async (i) => {
      const roleName = `bench-role-${String(i).padStart(5, '0')}`;
      const issuer = issuers[i % issuers.length]!;
      // Every fifth role trusts a service account (IRSA); the others trust a service.
      const trust =
        i % 5 === 0
          ? {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::${ACCT}:oidc-provider/${issuer}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  [`${issuer}:sub`]: `system:serviceaccount:${ns(i)}:sa-${String(i % 300).padStart(4, '0')}`,
                  [`${issuer}:aud`]: 'sts.amazonaws.com',
                },
              },
            }
          : {
              Effect: 'Allow',
              Principal: { Service: i % 2 === 0 ? 'pods.eks.amazonaws.com' : 'ec2.amazonaws.com' },
              Action: ['sts:AssumeRole', 'sts:TagSession'],
            };
      await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [trust] }) }));
      if (i % 10 === 0) {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: roleName,
            PolicyName: 'inline',
            PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] }),
          }),
        );
      }
      if (i % 5 === 1 && policyArns.length > 0)
        await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArns[i % policyArns.length]! }));
    });
  } finally {
    eks.destroy();
    iam.destroy();
  }

  for (let c = 0; c < account.clusters; c++) {
    const name = clusterName(c);
    for (let a = 0; a < account.addonsPerCluster; a++) {
      world.shim.seedAddon({ clusterName: name, addonName: ADDONS[a % ADDONS.length]!, region: REGION, addonVersion: 'v1.0.0-eksbuild.1' });
    }
    for (let i = 0; i < (account.associationsPerCluster[c] ?? 0); i++) {
      world.shim.seedAssociation({
        clusterName: name,
        region: REGION,
        namespace: ns(i),
        serviceAccount: `sa-${String(i).padStart(4, '0')}`,
        roleArn: `arn:aws:iam::${ACCT}:role/bench-role-${String((i * 7 + c) % account.roles).padStart(5, '0')}`,
      });
    }
  }

  world.kubes = [];
  const objects = kubeObjects(account);
  for (let c = 0; c < account.clusters; c++) world.kubes.push(await startKubeFake(objects));
  world.dir = mkdtempSync(join(tmpdir(), 'irsa2pi-bench-api-'));
  world.kubeconfig = join(world.dir, 'kubeconfig');
  const kubes = world.kubes;
  writeFileSync(
    world.kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      ...kubes.flatMap((k, c) => [`- name: ${clusterName(c)}`, '  cluster:', `    server: ${k.server}`, '    insecure-skip-tls-verify: true']),
      'users:',
      '- name: u',
      '  user: {}',
      'contexts:',
      ...kubes.map((_, c) => `- name: ctx-${clusterName(c)}\n  context: {cluster: ${clusterName(c)}, user: u}`),
      `current-context: ctx-${clusterName(0)}`,
      '',
    ].join('\n'),
  );
  return world as World;
}

async function stopWorld(world: Partial<World>): Promise<void> {
  for (const k of world.kubes ?? []) await k.stop().catch(() => undefined);
  await world.shim?.stop().catch(() => undefined);
  await world.moto?.stop().catch(() => undefined);
  if (world.dir) rmSync(world.dir, { recursive: true, force: true });
}

/** Builds the account, runs `collectEvidence` once, prints the table and returns its rows. */
export async function apiCalls(account: ApiAccount = API_ACCOUNT): Promise<ApiCallRow[]> {
  const partial: Partial<World> = {};
  const savedEnv = { ...process.env };
  try {
    const setupStart = Date.now();
    const world = await buildWorld(account, partial);
    const setupMs = Date.now() - setupStart;

    // What GetAccountAuthorizationDetails pages over with the collector's filters, read outside the run.
    const iam = new IAMClient(sdkConfig(world.moto.endpoint, REGION));
    let iamItems = 0;
    let motoPages = 0;
    let marker: string | undefined;
    try {
      do {
        const page = await iam.send(
          new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'LocalManagedPolicy', 'AWSManagedPolicy'], Marker: marker, MaxItems: PAGE.iam }),
        );
        iamItems += (page.RoleDetailList?.length ?? 0) + (page.Policies?.length ?? 0);
        motoPages++;
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
    } finally {
      iam.destroy();
    }

    Object.assign(process.env, awsEnv(world.shim.endpoint, REGION), { KUBECONFIG: world.kubeconfig });
    for (const k of world.kubes) k.requests.length = 0;
    world.shim.state.requests.length = 0;
    const operations: string[] = [];
    const collectStart = Date.now();
    const result = await collectEvidence({
      regions: [REGION],
      contexts: world.kubes.map((_, c) => `${clusterName(c)}=ctx-${clusterName(c)}`),
      onAwsOperation: (op) => operations.push(op),
      loadKubeConfig: () => {
        const kc = new KubeConfig();
        kc.loadFromFile(world.kubeconfig);
        return kc;
      },
    });
    const collectMs = Date.now() - collectStart;
    if (result.gaps.length > 0) throw new Error(`collect left scan gaps: ${JSON.stringify(result.gaps)}`);

    const count = (op: string) => operations.filter((o) => o === op).length;
    const ceil = (n: number, page: number) => Math.max(1, Math.ceil(n / page));
    const associations = account.associationsPerCluster.slice(0, account.clusters);
    const assocTotal = associations.reduce((a, b) => a + b, 0);
    const addonsTotal = account.clusters * account.addonsPerCluster;
    const expected: [string, number][] = [
      ['iam:GetAccountAuthorizationDetails', ceil(iamItems, PAGE.iam)],
      ['iam:ListOpenIDConnectProviders', 1],
      ['eks:ListClusters', ceil(account.clusters, PAGE.eks)], // one region
      ['eks:DescribeCluster', account.clusters],
      ['eks:ListPodIdentityAssociations', associations.reduce((s, n) => s + ceil(n, PAGE.eks), 0)],
      ['eks:DescribePodIdentityAssociation', assocTotal],
      ['eks:ListAddons', account.clusters * ceil(account.addonsPerCluster, PAGE.eks)],
      ['eks:DescribeAddon', addonsTotal],
    ];
    const rows: ApiCallRow[] = expected.map(([operation, minimum]) => ({ operation, calls: count(operation), minimum, ratio: count(operation) / minimum }));
    // AWS operations the collector sent that have no minimum above (should be none).
    for (const op of [...new Set(operations)].sort()) {
      if (!expected.some(([o]) => o === op)) rows.push({ operation: op, calls: count(op), minimum: 0, ratio: Infinity });
    }

    // Kubernetes: GET list calls per resource, summed over the clusters' fakes.
    const kubeOther: string[] = [];
    for (const r of KUBE_RESOURCES) {
      const path = r.group ? `/apis/${r.group}/${r.version}/${r.resource}` : `/api/${r.version}/${r.resource}`;
      const calls = world.kubes.reduce((s, k) => s + k.requests.filter((q) => q.method === 'GET' && q.path === path).length, 0);
      const minimum = account.clusters * ceil(account.kubeObjects[r.resource] ?? 0, PAGE.kube);
      rows.push({ operation: `k8s:list ${r.resource}`, calls, minimum, ratio: calls / minimum });
    }
    for (const k of world.kubes) {
      for (const q of k.requests) {
        if (!KUBE_RESOURCES.some((r) => q.path === (r.group ? `/apis/${r.group}/${r.version}/${r.resource}` : `/api/${r.version}/${r.resource}`)))
          kubeOther.push(`${q.method} ${q.path}`);
      }
    }
    for (const p of [...new Set(kubeOther)].sort()) {
      const calls = kubeOther.filter((x) => x === p).length;
      rows.push({ operation: `k8s:${p}`, calls, minimum: 0, ratio: Infinity });
    }

    const fmt = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'extra');
    const table = new Table({ head: ['operation', 'calls', 'minimum', 'ratio'] });
    for (const r of rows) table.push([r.operation, r.calls, r.minimum, fmt(r.ratio)]);
    const sum = (rs: ApiCallRow[], k: 'calls' | 'minimum') => rs.reduce((s, r) => s + r[k], 0);
    const awsRows = rows.filter((r) => !r.operation.startsWith('k8s:'));
    const kubeRows = rows.filter((r) => r.operation.startsWith('k8s:'));
    for (const [label, rs] of [
      ['AWS total', awsRows],
      ['Kubernetes total', kubeRows],
      ['total', rows],
    ] as const) {
      table.push([label, sum(rs, 'calls'), sum(rs, 'minimum'), fmt(sum(rs, 'calls') / sum(rs, 'minimum'))]);
    }
    const kubePerCluster = Object.values(account.kubeObjects).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `API calls of one collect: ${account.roles} roles + ${account.localPolicies} local policies (${iamItems} GetAccountAuthorizationDetails items), ` +
        `${account.clusters} clusters in 1 region, ${assocTotal} Pod Identity associations, ${addonsTotal} add-ons, ` +
        `${kubePerCluster} Kubernetes objects per cluster (setup ${(setupMs / 1000).toFixed(1)} s, collect ${(collectMs / 1000).toFixed(1)} s)\n`,
    );
    process.stdout.write(`${table.toString()}\n`);
    const gaadMin = ceil(iamItems, PAGE.iam);
    process.stdout.write(
      `caveat: moto ignores MaxItems on GetAccountAuthorizationDetails and answered ${iamItems} items in ${motoPages} page(s), so the ` +
        `measured count of that call (and the AWS total) is below what real IAM needs; the minimum is real IAM's (${PAGE.iam} items per page).\n` +
        `note: the collector asks for ${PAGE.iam} items a page (MaxItems), so real IAM needs ${gaadMin} call(s) for this account.\n` +
        `note: moto gives every cluster the same OIDC issuer, so the account has one OIDC provider, not one per cluster.\n`,
    );
    return rows;
  } finally {
    process.env = savedEnv;
    await stopWorld(partial);
  }
}
