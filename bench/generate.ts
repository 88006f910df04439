import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sortedKeys } from '../src/sources/live/kubernetes.js';
import { stringify as yamlStringify } from 'yaml';
import { KUBECTL, KUBECTL_YAML, SKELETON, type Shape } from './shapes.js';

/** The size of a generated organisation. */
export interface BenchSize {
  readonly name: string;
  readonly roles: number;
  readonly clusters: number;
  readonly serviceAccountsPerCluster: number;
  readonly podsPerServiceAccount: number;
}

export const SIZES: readonly BenchSize[] = [
  { name: 'small', roles: 100, clusters: 1, serviceAccountsPerCluster: 500, podsPerServiceAccount: 3 },
  { name: 'medium', roles: 1_000, clusters: 10, serviceAccountsPerCluster: 500, podsPerServiceAccount: 3 },
  { name: 'large', roles: 10_000, clusters: 100, serviceAccountsPerCluster: 500, podsPerServiceAccount: 3 },
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAIN = '111122223333';
const DATA = '444455556666';
const NAMESPACES = 20;

/** How much of each object a generated bundle holds. */
export type BundleShape = 'kubectl' | 'kubectl-yaml' | 'skeleton';

const SHAPES: Readonly<Record<BundleShape, Shape>> = { kubectl: KUBECTL, 'kubectl-yaml': KUBECTL_YAML, skeleton: SKELETON };

/** Customer-managed policies the generated roles attach, round robin. */
const MANAGED_POLICIES = 50;

/**
 * Writes a deterministic evidence bundle of realistic shape: shared roles across clusters, wildcard
 * and subject-less trusts, add-on roles, cross-account roles, Fargate and Windows workloads. Objects
 * are printed as `kubectl get -o json` and the AWS CLI print them, the Kubernetes Lists as
 * `kubectl get -o yaml` prints them (`kubectl-yaml`), or (`skeleton`) stripped to the fields irsa2pi
 * reads; every shape carries the same facts.
 */
export function generateBundle(dir: string, size: BenchSize, seed = 42, shapeName: BundleShape = 'kubectl'): void {
  const shape = SHAPES[shapeName];
  const random = prng(seed);
  rmSync(dir, { recursive: true, force: true });
  const clusters = Array.from({ length: size.clusters }, (_, i) => {
    const region = i % 2 === 0 ? 'eu-west-1' : 'us-east-1';
    const id = (i + 1).toString(16).toUpperCase().padStart(32, 'A');
    return { name: `cluster-${String(i).padStart(3, '0')}`, region, hostPath: `oidc.eks.${region}.amazonaws.com/id/${id}` };
  });
  const arnOf = (c: (typeof clusters)[number]) => `arn:aws:eks:${c.region}:${MAIN}:cluster/${c.name}`;
  const providers = (account: string) => clusters.map((c) => ({ Arn: `arn:aws:iam::${account}:oidc-provider/${c.hostPath}` }));
  const sa = (k: number) => ({ ns: `ns-${k % NAMESPACES}`, name: `sa-${k}` });
  const annotations = new Map<string, string>();
  const roles: Record<string, unknown[]> = { [MAIN]: [], [DATA]: [] };
  for (let j = 0; j < size.roles; j++) {
    const account = random() < 0.02 ? DATA : MAIN;
    const name = `app-role-${j}`;
    const arn = `arn:aws:iam::${account}:role/${j % 7 === 0 ? 'teams/x/' : ''}${name}`;
    const home = j % clusters.length;
    const homes = random() < 0.05 && clusters.length > 1 ? [home, (home + 1) % clusters.length] : [home];
    const kind = random();
    const statements = homes.map((h) => {
      const c = clusters[h]!;
      const picks = Array.from({ length: 1 + Math.floor(random() * 2) }, () => sa(Math.floor(random() * size.serviceAccountsPerCluster)));
      for (const p of picks) annotations.set(`${c.name}/${p.ns}/${p.name}`, arn);
      const sub = `${c.hostPath}:sub`;
      const aud = { [`${c.hostPath}:aud`]: 'sts.amazonaws.com' };
      const condition =
        kind < 0.05
          ? { StringLike: { [sub]: `system:serviceaccount:${picks[0]!.ns}:*` }, StringEquals: aud }
          : kind < 0.07
            ? { StringEquals: aud }
            : { StringEquals: { [sub]: picks.map((p) => `system:serviceaccount:${p.ns}:${p.name}`), ...aud } };
      return {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${c.hostPath}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: condition,
      };
    });
    if (random() < 0.03)
      statements.push({
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } },
      });
    const policyArn = `arn:aws:iam::${account}:policy/app-policy-${j % MANAGED_POLICIES}`;
    const region = clusters[home]!.region;
    roles[account]!.push({
      Path: '/',
      RoleName: name,
      RoleId: `AROA${j}`,
      Arn: arn,
      CreateDate: '2024-01-01T00:00:00+00:00',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: statements },
      ...shape.roleExtras(name, account, policyArn, region),
    });
  }
  for (const c of clusters) {
    const arn = `arn:aws:iam::${MAIN}:role/vpc-cni-${c.name}`;
    annotations.set(`${c.name}/kube-system/aws-node`, arn);
    roles[MAIN]!.push({
      Path: '/',
      RoleName: `vpc-cni-${c.name}`,
      RoleId: `AROAV${c.name}`,
      Arn: arn,
      CreateDate: '2024-01-01T00:00:00+00:00',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${MAIN}:oidc-provider/${c.hostPath}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${c.hostPath}:sub`]: 'system:serviceaccount:kube-system:aws-node', [`${c.hostPath}:aud`]: 'sts.amazonaws.com' } },
          },
        ],
      },
      ...shape.roleExtras(`vpc-cni-${c.name}`, MAIN, `arn:aws:iam::${MAIN}:policy/app-policy-0`, c.region),
    });
  }
  const write = (path: string, value: unknown) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    const kubernetes = path.startsWith('kubernetes/');
    const printed = shape.sortKubernetesKeys && kubernetes ? sortedKeys(value) : value;
    if (kubernetes && shape.kubernetesFormat === 'yaml')
      writeFileSync(join(dir, path.replace(/\.json$/, '.yaml')), yamlStringify(printed, { indentSeq: false, lineWidth: 0 }));
    else writeFileSync(join(dir, path), JSON.stringify(printed, null, shape.indent));
  };
  for (const account of [MAIN, DATA]) {
    const policies = shape.policies(Array.from({ length: MANAGED_POLICIES }, (_, k) => `arn:aws:iam::${account}:policy/app-policy-${k}`));
    write(`aws/${account}/iam-authorization-details.json`, { UserDetailList: [], GroupDetailList: [], RoleDetailList: roles[account], Policies: policies });
    write(`aws/${account}/oidc-providers.json`, { OpenIDConnectProviderList: providers(account) });
  }
  for (const c of clusters) {
    write(`aws/${MAIN}/${c.region}/cluster-${c.name}.json`, {
      cluster: {
        name: c.name,
        arn: arnOf(c),
        version: '1.31',
        platformVersion: 'eks.10',
        status: 'ACTIVE',
        endpoint: `https://${c.name}.example`,
        identity: { oidc: { issuer: `https://${c.hostPath}` } },
      },
    });
    write(`aws/${MAIN}/${c.region}/addon-${c.name}-vpc-cni.json`, {
      addon: {
        addonName: 'vpc-cni',
        clusterName: c.name,
        addonArn: `arn:aws:eks:${c.region}:${MAIN}:addon/${c.name}/vpc-cni/x`,
        addonVersion: 'v1.18.0',
        serviceAccountRoleArn: `arn:aws:iam::${MAIN}:role/vpc-cni-${c.name}`,
      },
    });
    const items: unknown[] = [];
    const nodes = ['node-0', 'node-1', 'node-2', 'node-3', 'node-win', 'fargate-ip-1'];
    for (const n of nodes) items.push(shape.node({ name: n, os: n === 'node-win' ? 'windows' : 'linux', fargate: n.startsWith('fargate'), region: c.region }));
    const accounts = [...Array.from({ length: size.serviceAccountsPerCluster }, (_, k) => sa(k)), { ns: 'kube-system', name: 'aws-node' }];
    for (const [k, s] of accounts.entries()) {
      const roleArn = annotations.get(`${c.name}/${s.ns}/${s.name}`);
      items.push(shape.serviceAccount({ namespace: s.ns, name: s.name, roleArn }));
      const dep = `${s.name}-app`;
      const workload = {
        namespace: s.ns,
        deployment: dep,
        deploymentUid: `d-${k}`,
        replicaSet: `${dep}-5d9f`,
        replicaSetUid: `r-${k}`,
        serviceAccount: s.name,
      };
      items.push(shape.deployment(workload), shape.replicaSet(workload));
      for (let p = 0; p < size.podsPerServiceAccount; p++) {
        const node = k % 50 === 7 ? 'fargate-ip-1' : k % 50 === 9 ? 'node-win' : nodes[p % 4]!;
        items.push(
          shape.pod({
            namespace: s.ns,
            name: `${dep}-5d9f-${p}`,
            replicaSet: workload.replicaSet,
            replicaSetUid: workload.replicaSetUid,
            uid: `p-${k}-${p}`,
            serviceAccount: s.name,
            nodeName: node,
            roleArn,
            region: c.region,
          }),
        );
      }
    }
    write(`kubernetes/${c.name}/resources.json`, { apiVersion: 'v1', kind: 'List', items });
  }
}

/** One cluster whose `n` service accounts (in n/10 namespaces) are all annotated with one role that trusts them all. */
export function generateWideRole(dir: string, n: number): void {
  rmSync(dir, { recursive: true, force: true });
  const hostPath = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  const roleArn = `arn:aws:iam::${MAIN}:role/wide`;
  const sas = Array.from({ length: n }, (_, k) => ({ ns: `ns-${k % Math.max(1, n / 10)}`, name: `sa-${k}` }));
  const write = (path: string, value: unknown) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(value));
  };
  write(`aws/${MAIN}/iam.json`, {
    RoleDetailList: [
      {
        RoleName: 'wide',
        Arn: roleArn,
        Path: '/',
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: `arn:aws:iam::${MAIN}:oidc-provider/${hostPath}` },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: { [`${hostPath}:sub`]: sas.map((s) => `system:serviceaccount:${s.ns}:${s.name}`), [`${hostPath}:aud`]: 'sts.amazonaws.com' },
              },
            },
          ],
        },
      },
    ],
    Policies: [],
  });
  write(`aws/${MAIN}/eu-west-1/cluster.json`, {
    cluster: {
      name: 'wide',
      arn: `arn:aws:eks:eu-west-1:${MAIN}:cluster/wide`,
      version: '1.31',
      platformVersion: 'eks.10',
      identity: { oidc: { issuer: `https://${hostPath}` } },
      computeConfig: { enabled: true },
    },
  });
  write('kubernetes/wide/resources.json', {
    apiVersion: 'v1',
    kind: 'List',
    items: sas.map((s) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: s.name, namespace: s.ns, annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
    })),
  });
}
