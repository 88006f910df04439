/**
 * Builds the world of a fixture on real components — moto (IAM, EKS clusters) behind the EKS shim
 * (associations, add-ons) and the Kubernetes API fake — then runs the generated scripts against it
 * with the real `aws` CLI and `kubectl`, and reads the state back.
 *
 * Why the plan comes straight from the fixture (no name mapping): the scripts never read a
 * cluster's OIDC issuer — they only name clusters, namespaces, service accounts and roles, and
 * apply trust documents verbatim. Creating the fixture's clusters with the same names in the same
 * region and account gives them the same ARNs in moto (`arn:aws:eks:<region>:<account>:cluster/<name>`),
 * which is all the Pod Identity trust statements refer to; the roles are created with the fixture's
 * exact trust documents (issuer ids included: IAM does not check them against moto's single
 * per-process issuer). So the fixture's plan is a faithful plan of the emulated world.
 * @module
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { writeDirectoryAtomic } from '../../src/cli/write-atomic.js';
import { emitScript } from '../../src/emit/plan/script/index.js';
import type { Inventory } from '../../src/model/inventory.js';
import type { Plan } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import type { EksShim } from '../helpers/eks-shim.js';
import type { CommandResult } from '../helpers/exec.js';
import { runCommand } from '../helpers/exec.js';
import { startKubeFake, type KubeFake, type KubeObject } from '../helpers/kube-fake.js';
import { objectsFromFile, objectsFromText } from '../helpers/kube-objects.js';
import { sdkConfig, type MotoServer } from '../helpers/moto.js';

export const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures');

/** The emulated accounts: the first is the clusters' account (moto + shim), others IAM only. */
export interface Accounts {
  /** The account of the clusters (served by the shim in front of moto). */
  clusterAccount: string;
  /** account id → endpoint serving that account (the shim for the clusters' account). */
  endpoints: Record<string, string>;
  motos: MotoServer[];
  shim: EksShim;
}

export interface World {
  fixture: string;
  inventory: Inventory;
  plan: Plan;
  /** The Kubernetes fake of the first scanned cluster (the only one in most fixtures). */
  kube: KubeFake;
  /**
   * One Kubernetes fake per scanned cluster, by cluster name. Each is its cluster's endpoint (the shim's
   * DescribeCluster answers with the fake's URL) and a context of the kubeconfig.
   */
  kubes: Record<string, KubeFake>;
  /** Directory holding the generated scripts. */
  dir: string;
  /** Where the scripts keep backup/ and state/ by default: beside {@link World.dir}. */
  stateDir: string;
  /** The kubeconfig the scripts use (KUBECONFIG). */
  kubeconfig: string;
  env: Record<string, string>;
  /** Writes the scripts of the plan into {@link World.dir} again, as `irsa2pi plan --out` does. */
  regenerate(): void;
  /** Runs a script of {@link World.dir} with the world's environment (and `extra` over it), from `cwd` if given. */
  run(script: string, args?: string[], env?: Record<string, string>, cwd?: string): Promise<CommandResult>;
  stop(): Promise<void>;
}

function iamFor(accounts: Accounts, account: string): IAMClient {
  const endpoint = accounts.endpoints[account];
  if (!endpoint) throw new Error(`no emulator for account ${account}`);
  return new IAMClient(sdkConfig(endpoint));
}

/** How the world's kubeconfig names its contexts. */
export interface WorldOptions {
  /**
   * `arn` (default): as `aws eks update-kubeconfig` writes them, one after the other — cluster, user and
   * context named by the cluster ARN, the current context the cluster added last. `other`: contexts
   * named `fake-<cluster>`, the current one the last cluster's, so only the servers tell them apart.
   */
  contexts?: 'arn' | 'other';
}

/**
 * Resets every emulator and loads a fixture into them; returns the world with its scripts written.
 * `fixture` names a folder of `fixtures/`, or is the absolute path of a bundle (see {@link twoRolesBundle}).
 */
export async function buildWorld(fixture: string, accounts: Accounts, options: WorldOptions = {}): Promise<World> {
  await Promise.all(accounts.motos.map((m) => m.reset()));
  accounts.shim.clear();
  const bundle = path.resolve(FIXTURES, fixture);
  const inventory = readEvidenceBundle(bundle);
  const result = plan(inventory, { generatedAt: '2026-01-01T00:00:00.000Z' });

  for (const r of inventory.roles) {
    await iamFor(accounts, r.accountId).send(
      new CreateRoleCommand({ RoleName: r.name, Path: r.path, AssumeRolePolicyDocument: JSON.stringify(r.trustPolicy) }),
    );
  }
  for (const p of inventory.oidcProviders) {
    await iamFor(accounts, p.accountId).send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${p.hostPath}`,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
      }),
    );
  }
  const clusterAccount = accounts.clusterAccount;
  for (const c of inventory.clusters) {
    if (c.accountId !== clusterAccount) throw new Error(`${fixture}: cluster ${c.name} is in ${c.accountId}, not the emulated cluster account`);
    const eks = new EKSClient({ ...sdkConfig(accounts.endpoints[c.accountId]!, c.region) });
    const created = await eks.send(
      new CreateClusterCommand({
        name: c.name,
        roleArn: `arn:aws:iam::${c.accountId}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: ['subnet-0123456789abcdef0'] },
      }),
    );
    if (created.cluster?.arn !== c.arn) throw new Error(`moto named ${c.name} ${created.cluster?.arn}, the fixture ${c.arn}`);
  }
  for (const a of inventory.addons) {
    const owned = inventory.associations.filter((s) => s.ownerArn && s.clusterArn === a.clusterArn && a.podIdentityAssociations.includes(s.associationArn));
    accounts.shim.seedAddon({
      clusterName: a.clusterName,
      addonName: a.name,
      region: a.clusterArn.split(':')[3]!,
      ...(a.version ? { addonVersion: a.version } : {}),
      ...(a.serviceAccountRoleArn ? { serviceAccountRoleArn: a.serviceAccountRoleArn } : {}),
      ...(owned.length ? { podIdentityAssociations: owned.map((s) => ({ serviceAccount: s.serviceAccount, roleArn: s.roleArn })) } : {}),
    });
  }
  for (const s of inventory.associations.filter((x) => !x.ownerArn)) {
    accounts.shim.seedAssociation({
      clusterName: s.clusterName,
      namespace: s.namespace,
      serviceAccount: s.serviceAccount,
      roleArn: s.roleArn,
      region: s.clusterArn.split(':')[3]!,
      associationId: s.associationId,
      ...(s.targetRoleArn ? { targetRoleArn: s.targetRoleArn } : {}),
    });
  }

  // One Kubernetes API fake per scanned cluster, each a context of one kubeconfig.
  const clusters = inventory.clusters.filter((c) => c.kubernetes);
  if (clusters.length === 0) throw new Error(`${fixture}: no scanned cluster`);
  if (new Set(clusters.map((c) => c.name)).size !== clusters.length) throw new Error(`${fixture}: the e2e world needs distinct cluster names`);
  const kubes: Record<string, KubeFake> = {};
  for (const c of clusters) {
    const kdir = path.join(bundle, 'kubernetes', c.name);
    const objects: KubeObject[] = [];
    for (const f of (await readdir(kdir)).sort()) objects.push(...(await objectsFromFile(path.join(kdir, f))));
    kubes[c.name] = await startKubeFake(objects);
  }
  const kube = kubes[clusters[0]!.name]!;
  for (const c of clusters) accounts.shim.setClusterEndpoint(c.region, c.name, kubes[c.name]!.server);

  const dir = await mkdtemp(path.join(tmpdir(), `irsa2pi-e2e-${path.basename(bundle)}-`));
  const kubeconfig = path.join(dir, 'kubeconfig');
  const contextOf = (c: (typeof clusters)[number]) => ((options.contexts ?? 'arn') === 'arn' ? c.arn : `fake-${c.name}`);
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      ...clusters.flatMap((c) => [`- name: ${contextOf(c)}`, '  cluster:', `    server: ${kubes[c.name]!.server}`, '    insecure-skip-tls-verify: true']),
      'users:',
      ...clusters.flatMap((c) => [`- name: ${contextOf(c)}`, '  user: {}']),
      'contexts:',
      ...clusters.flatMap((c) => [`- name: ${contextOf(c)}`, '  context:', `    cluster: ${contextOf(c)}`, `    user: ${contextOf(c)}`]),
      `current-context: ${contextOf(clusters[clusters.length - 1]!)}`,
      '',
    ].join('\n'),
  );
  const scripts = path.join(dir, 'out');
  const regenerate = () => {
    const rendered = emitScript(result, {});
    if (rendered.kind !== 'files') throw new Error('script emitter returned text');
    writeDirectoryAtomic(scripts, rendered.files);
  };
  regenerate();

  // One AWS CLI profile per account, each with its emulator's endpoint_url (moto serves one account
  // per process, so the second account is a second moto server).
  const config = Object.entries(accounts.endpoints)
    .map(
      ([acct, endpoint]) =>
        `[profile acct${acct}]\nregion = us-east-1\nendpoint_url = ${endpoint}\naws_access_key_id = testing\naws_secret_access_key = testing\n`,
    )
    .join('\n');
  await writeFile(path.join(dir, 'aws-config'), config);
  const env: Record<string, string> = {
    AWS_CONFIG_FILE: path.join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...Object.fromEntries(Object.keys(accounts.endpoints).map((acct) => [`AWS_PROFILE_${acct}`, `acct${acct}`])),
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: path.join(dir, 'kube-cache'),
    ASSOCIATION_SETTLE_SECONDS: '0',
  };
  return {
    fixture,
    inventory,
    plan: result,
    kube,
    kubes,
    dir: scripts,
    stateDir: `${scripts}.state`,
    kubeconfig,
    env,
    regenerate,
    run: (script, args = [], extra = {}, cwd) =>
      runCommand('bash', [path.join(scripts, script), ...args], { env: { ...env, ...extra }, cwd, timeoutMs: 120_000 }),
    stop: async () => {
      await Promise.all(Object.values(kubes).map((k) => k.stop()));
    },
  };
}

/** A role's trust as IAM holds it (GetRole URL-encodes the document: decoded here). */
export async function liveTrust(accounts: Accounts, roleArn: string): Promise<unknown> {
  const [, , , , account = '', resource = ''] = roleArn.split(':');
  const name = resource.split('/').pop()!;
  const got = await iamFor(accounts, account).send(new GetRoleCommand({ RoleName: name }));
  return JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!));
}

/** A role's inline policy, or undefined when the role or policy does not exist. */
export async function liveInlinePolicy(accounts: Accounts, roleArn: string, policy: string): Promise<unknown> {
  const [, , , , account = '', resource = ''] = roleArn.split(':');
  try {
    const got = await iamFor(accounts, account).send(new GetRolePolicyCommand({ RoleName: resource.split('/').pop()!, PolicyName: policy }));
    return JSON.parse(decodeURIComponent(got.PolicyDocument!));
  } catch (e) {
    if (e instanceof NoSuchEntityException) return undefined;
    throw e;
  }
}

/** Everything the scripts could change, for before/after comparisons. */
export async function snapshot(accounts: Accounts, world: World): Promise<unknown> {
  const roles: Record<string, unknown> = {};
  for (const account of Object.keys(accounts.endpoints)) {
    const listed = await iamFor(accounts, account).send(new ListRolesCommand({}));
    for (const r of listed.Roles ?? [])
      roles[r.Arn!] = { trust: await liveTrust(accounts, r.Arn!), chain: await liveInlinePolicy(accounts, r.Arn!, 'irsa2pi-chain') };
  }
  const associations = [...accounts.shim.state.associations.values()].map((s) => s.association).sort((a, b) => a.associationId.localeCompare(b.associationId));
  const addons = [...accounts.shim.state.addons.values()].map((s) => s.addon).sort((a, b) => a.addonArn.localeCompare(b.addonArn));
  const kube = world.kube.objects().map((o) => ({
    kind: o.kind,
    ns: o.metadata.namespace,
    name: o.metadata.name,
    rv: o.metadata.resourceVersion,
    annotations: o.metadata.annotations,
    spec: o.spec,
  }));
  const files = existsSync(path.join(world.stateDir, 'state')) ? (await readdir(path.join(world.stateDir, 'state'))).sort() : [];
  return { roles, associations, addons, kube, files };
}

/** The associations the shim holds, as comparable summaries. */
export function associationSummaries(
  shim: EksShim,
): { cluster: string; namespace: string; serviceAccount: string; roleArn: string; targetRoleArn: string | null; owned: boolean }[] {
  return [...shim.state.associations.values()]
    .map(({ association: a }) => ({
      cluster: a.clusterName,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      roleArn: a.roleArn,
      targetRoleArn: a.targetRoleArn ?? null,
      owned: Boolean(a.ownerArn),
    }))
    .sort((a, b) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`.localeCompare(`${b.cluster}/${b.namespace}/${b.serviceAccount}`));
}

/**
 * A bundle with two roles in one cluster, derived from `fixtures/broken-annotation`: `s3-readers`
 * serves shop/cart-reader (Deployment/cart) and a new `s3-writers` serves shop/cart-writer
 * (Deployment/cart-writer), each trusted by its own IRSA statement. Written to a temporary folder;
 * returns its absolute path for {@link buildWorld}.
 */
export async function twoRolesBundle(): Promise<string> {
  const bundle = path.join(await mkdtemp(path.join(tmpdir(), 'irsa2pi-bundle-')), 'two-roles');
  await cp(path.join(FIXTURES, 'broken-annotation'), bundle, { recursive: true });
  const readers = 'arn:aws:iam::111122223333:role/s3-readers';
  const writers = 'arn:aws:iam::111122223333:role/s3-writers';

  const iamFile = path.join(bundle, 'aws', '111122223333', 'iam-authorization-details.json');
  const iam = JSON.parse(await readFile(iamFile, 'utf8')) as { RoleDetailList: Record<string, unknown>[] };
  const source = iam.RoleDetailList.find((r) => r.Arn === readers)!;
  const copy = JSON.parse(
    JSON.stringify(source).replaceAll('s3-readers', 's3-writers').replace('system:serviceaccount:shop:cart-reader', 'system:serviceaccount:shop:cart-writer'),
  ) as Record<string, unknown>;
  iam.RoleDetailList.push({ ...copy, RoleId: 'AROAX5FUBF4QKD6KE75RW' });
  await writeFile(iamFile, JSON.stringify(iam, null, 2));

  const kubeDir = path.join(bundle, 'kubernetes', 'c1');
  const objects = objectsFromText(await readFile(path.join(kubeDir, 'resources.yaml'), 'utf8'));
  for (const o of objects) {
    const spec = o.spec as { serviceAccountName?: string; containers?: { env?: { name: string; value?: string }[] }[] } | undefined;
    if (o.kind === 'ServiceAccount' && o.metadata.namespace === 'shop' && o.metadata.name === 'cart-writer')
      o.metadata.annotations = { 'eks.amazonaws.com/role-arn': writers };
    if (o.kind === 'Pod' && spec?.serviceAccountName === 'cart-writer') {
      for (const c of spec.containers ?? []) for (const e of c.env ?? []) if (e.name === 'AWS_ROLE_ARN') e.value = writers;
    }
  }
  await rm(path.join(kubeDir, 'resources.yaml'));
  await writeFile(path.join(kubeDir, 'resources.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2));
  return bundle;
}

/**
 * Environment that puts a wrapper of the AWS CLI first on PATH: a call whose arguments (joined by
 * spaces) match the extended regular expression `pattern` fails as the CLI does on a service error
 * (exit 254, the message on stderr); every other call runs the real CLI.
 */
export async function failingAws(world: World, pattern: string): Promise<Record<string, string>> {
  const real = (await runCommand('bash', ['-c', 'command -v aws'])).stdout.trim();
  if (!real) throw new Error('aws is not on PATH');
  const bin = path.join(path.dirname(world.dir), 'failing-aws');
  await mkdir(bin, { recursive: true });
  const wrapper = [
    '#!/usr/bin/env bash',
    `if printf '%s\\n' "$*" | grep -qE -- "$IRSA2PI_TEST_FAIL_AWS"; then`,
    `  printf '\\nAn error occurred (ServiceUnavailableException) when calling the operation: injected by the test\\n' >&2`,
    '  exit 254',
    'fi',
    `exec ${JSON.stringify(real)} "$@"`,
    '',
  ].join('\n');
  await writeFile(path.join(bin, 'aws'), wrapper, { mode: 0o755 });
  return { PATH: `${bin}:${process.env.PATH ?? ''}`, IRSA2PI_TEST_FAIL_AWS: pattern };
}
