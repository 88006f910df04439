import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import type { KubeFake } from '../helpers/kube-fake.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import { CLUSTER_ACCOUNT as ACCOUNT, expectTrust, ok, singleAccount } from './lifecycle.js';
import { associationSummaries, buildWorld, type Accounts, type World } from './world.js';
import { stopAll } from '../helpers/stop.js';

const ROLE_ARN = 'eks.amazonaws.com/role-arn';
const SHARED = `arn:aws:iam::${ACCOUNT}:role/read-from-s3`;
const C1 = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c1`;

function annotated(w: World, cluster: string, ns: string, sa: string): string | undefined {
  return w.kubes[cluster]!.get('ServiceAccount', ns, sa)?.metadata.annotations?.[ROLE_ARN];
}

/** The writes a Kubernetes fake served, as `METHOD path`. */
function writes(kube: KubeFake): string[] {
  return kube.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
}

function associated(shim: EksShim): string[] {
  return associationSummaries(shim).map((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`);
}

describe('generated scripts on two clusters: each cluster through its own context, checked against its endpoint', () => {
  const env = singleAccount();

  it('kubeconfig as aws eks update-kubeconfig leaves it (contexts named by ARN, current context the other cluster): each cluster is changed and judged through its own context', async () => {
    const w = await env.load('shared-role-two-clusters');
    expect(await readFile(w.kubeconfig, 'utf8')).toContain(`current-context: arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/c2`);
    const out = await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    expect(out).toContain(`cluster c1 (${ACCOUNT}, eu-west-1): ACTIVE, kubeconfig context ${C1} (named by the cluster ARN) reaches ${w.kubes.c1!.server}`);
    expect(annotated(w, 'c1', 'media', 'thumbnailer')).toBeUndefined();
    expect(annotated(w, 'c2', 'media', 'thumbnailer')).toBeUndefined();
    expect(annotated(w, 'c2', 'media', 'transcoder')).toBeUndefined();
    expect(writes(w.kubes.c1!).filter((x) => x.includes('/serviceaccounts/'))).toEqual(['PATCH /api/v1/namespaces/media/serviceaccounts/thumbnailer']);
    expect(
      writes(w.kubes.c2!)
        .filter((x) => x.includes('/serviceaccounts/'))
        .sort(),
    ).toEqual(['PATCH /api/v1/namespaces/media/serviceaccounts/thumbnailer', 'PATCH /api/v1/namespaces/media/serviceaccounts/transcoder']);
    await ok(w, 'finalize.sh', [], { VERIFY: 'warn' });
    await expectTrust(env.accounts(), w, 'final');
  }, 400_000);

  it('a context that talks to another server stops that cluster with an ERROR and changes nothing in it; found again by its endpoint (however the URL is written), it completes', async () => {
    const w = await env.load('shared-role-two-clusters', { contexts: 'other' });
    const map = path.join(path.dirname(w.dir), 'contexts.txt');
    await writeFile(map, `# cluster  context\n${C1} fake-c2\n`);
    const wrong = await w.run('migrate.sh', [], { VERIFY: 'warn', KUBE_CONTEXTS: map });
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(1);
    expect(wrong.stderr).toMatch(
      new RegExp(
        `^ERROR: c1: kubeconfig context fake-c2 \\(KUBE_CONTEXTS names it for ${C1}\\) talks to ${w.kubes.c2!.server}, not to the endpoint of c1 \\(${w.kubes.c1!.server}\\); nothing is changed for its service accounts in this run$`,
        'm',
      ),
    );
    expect(writes(w.kubes.c1!)).toEqual([]);
    expect(annotated(w, 'c1', 'media', 'thumbnailer')).toBe(SHARED);
    expect(
      writes(w.kubes.c2!)
        .filter((x) => x.includes('/serviceaccounts/'))
        .sort(),
    ).toEqual(['PATCH /api/v1/namespaces/media/serviceaccounts/thumbnailer', 'PATCH /api/v1/namespaces/media/serviceaccounts/transcoder']);
    expect(associated(env.accounts().shim)).toEqual(['c2/media/thumbnailer', 'c2/media/transcoder']);

    // The same server, written with an upper-case scheme and a trailing slash.
    const kubeconfig = await readFile(w.kubeconfig, 'utf8');
    await writeFile(w.kubeconfig, kubeconfig.replace(`server: ${w.kubes.c1!.server}`, `server: ${w.kubes.c1!.server.replace('http://', 'HTTP://')}/`));
    const found = await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    expect(found).toContain('kubeconfig context fake-c1 (its server is the cluster endpoint)');
    expect(annotated(w, 'c1', 'media', 'thumbnailer')).toBeUndefined();
    expect(associated(env.accounts().shim)).toEqual(['c1/media/thumbnailer', 'c2/media/thumbnailer', 'c2/media/transcoder']);
  }, 400_000);

  it('no context reaches a cluster: an ERROR for it, never the current context', async () => {
    const w = await env.load('shared-role-two-clusters', { contexts: 'other' });
    const kubeconfig = await readFile(w.kubeconfig, 'utf8');
    // c1's entry now points at a server nobody serves; the current context (c2's) would answer.
    await writeFile(w.kubeconfig, kubeconfig.replace(`server: ${w.kubes.c1!.server}`, 'server: https://elsewhere.example:6443'));
    const r = await w.run('migrate.sh', ['--cluster', 'c1'], { VERIFY: 'warn' });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^ERROR: c1: no kubeconfig context is named ${C1} or has the server ${w.kubes.c1!.server} \\(run: aws eks update-kubeconfig --region eu-west-1 --name c1, or name its context in a KUBE_CONTEXTS file\\)`,
        'm',
      ),
    );
    expect(writes(w.kubes.c1!)).toEqual([]);
    expect(writes(w.kubes.c2!)).toEqual([]);
    expect(associated(env.accounts().shim)).toEqual([]);
  }, 400_000);

  it('rollback.sh restores the trust after the scripts were written again into the same directory between migrate and rollback', async () => {
    const w = await env.load('basic');
    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    await ok(w, 'finalize.sh', [], { VERIFY: 'warn' });
    await expectTrust(env.accounts(), w, 'final');
    expect(existsSync(path.join(w.stateDir, 'backup', `${ACCOUNT}-s3-readers.json`))).toBe(true);
    w.regenerate();
    expect(existsSync(path.join(w.dir, 'state'))).toBe(false);
    await ok(w, 'rollback.sh');
    await expectTrust(env.accounts(), w, 'current');
    expect(associated(env.accounts().shim)).toEqual([]);
    expect(annotated(w, 'c1', 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
  }, 400_000);

  it('a KUBE_CONTEXTS file written on Windows, with trailing comments, names the contexts it means', async () => {
    const w = await env.load('shared-role-two-clusters', { contexts: 'other' });
    const map = path.join(path.dirname(w.dir), 'contexts.txt');
    await writeFile(map, `# cluster  context\r\n${C1} fake-c1   # c1's own context\r\nc2\tfake-c2\t# c2\r\n`);
    const out = await ok(w, 'migrate.sh', [], { VERIFY: 'warn', KUBE_CONTEXTS: map });
    expect(out).toContain('kubeconfig context fake-c1 (KUBE_CONTEXTS names it');
    expect(associated(env.accounts().shim)).toEqual(['c1/media/thumbnailer', 'c2/media/thumbnailer', 'c2/media/transcoder']);
    await writeFile(map, `${C1} fake-c1 extra\n`);
    const more = await w.run('migrate.sh', [], { VERIFY: 'warn', KUBE_CONTEXTS: map });
    expect(more.code).toBe(1);
    expect(more.stderr).toContain(`ERROR: ${map}:1: expected '<cluster ARN or name> <context>', got more: '${C1} fake-c1 extra'`);
  }, 400_000);

  it('rollback.sh refuses state recorded for another cluster of the same name, and a state directory that holds nothing', async () => {
    const w = await env.load('basic');
    const none = await w.run('rollback.sh');
    expect(none.code, none.stdout + none.stderr).toBe(1);
    expect(none.stderr).toContain(`ERROR: no backup/ or state/ under ${w.stateDir}: nothing recorded to roll back`);
    const dry = await w.run('rollback.sh', [], { DRY_RUN: '1' });
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`WARNING: no backup/ or state/ under ${w.stateDir}`);

    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    const stamp = path.join(w.stateDir, 'clusters.txt');
    expect(await readFile(stamp, 'utf8')).toBe(`c1\t${C1}\n`);
    await writeFile(stamp, `c1\tarn:aws:eks:eu-west-1:444455556666:cluster/c1\n`);
    const other = await w.run('rollback.sh');
    expect(other.code, other.stdout + other.stderr).toBe(1);
    expect(other.stderr).toContain(
      `ERROR: ${stamp}:1: this rollback state is for cluster c1 = arn:aws:eks:eu-west-1:444455556666:cluster/c1, but this plan's c1 is ${C1}: set STATE_DIR to this plan's own state directory`,
    );
    expect(annotated(w, 'c1', 'shop', 'cart-reader')).toBeUndefined();
    expect(associated(env.accounts().shim)).toEqual(['c1/shop/cart-reader']);
  }, 400_000);

  it('state left inside the scripts directory by an earlier version is not passed over', async () => {
    const w = await env.load('basic');
    await mkdir(path.join(w.dir, 'backup'));
    const r = await w.run('rollback.sh');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ERROR: ${w.dir}/backup holds rollback state of an earlier run: move it to ${w.stateDir}/backup, or set STATE_DIR=${w.dir}`);
    const inside = await ok(w, 'rollback.sh', [], { STATE_DIR: `${w.dir}/` });
    expect(inside).toContain(
      `WARNING: STATE_DIR ${w.dir} is inside ${w.dir}: writing the scripts again there (irsa2pi plan --out) deletes the rollback state; keep it outside`,
    );
    const relative = await w.run('rollback.sh', ['--phase', 'trust'], { STATE_DIR: 'out/kept' }, path.dirname(w.dir));
    expect(relative.stderr).toContain(`WARNING: STATE_DIR ${w.dir}/kept is inside ${w.dir}`);
    expect(relative.stderr).toContain(`ERROR: ${w.dir}/backup holds rollback state of an earlier run: move it to ${w.dir}/kept/backup`);
  }, 400_000);
});

describe('generated scripts wait for AWS: the agent and add-on updates ACTIVE, new associations settled, before any pod restarts', () => {
  let moto: MotoServer;
  let shim: EksShim;
  let accounts: Accounts;
  let world: World | undefined;
  const ACTIVATION_MS = 2_000;
  beforeAll(async () => {
    moto = await startMoto({ accountId: ACCOUNT });
    shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: ACCOUNT, addonActivationMs: ACTIVATION_MS });
    accounts = { clusterAccount: ACCOUNT, endpoints: { [ACCOUNT]: shim.endpoint }, motos: [moto], shim };
  });
  afterAll(async () => {
    await world?.stop();
    await stopAll(shim, moto);
  });

  /** When the shim first answered DescribeAddon of `addon` with ACTIVE after its last create or update. */
  function reportedActiveAt(addon: string): number | undefined {
    const path_ = `/clusters/c1/addons/${addon}`;
    const changed = shim.state.requests.filter((r) => r.method === 'POST' && (r.path === '/clusters/c1/addons' || r.path === `${path_}/update`)).at(-1);
    expect(changed, `${addon} created or updated`).toBeDefined();
    return shim.state.requests.find((r) => r.method === 'GET' && r.path === path_ && r.at >= changed!.at + ACTIVATION_MS)?.at;
  }

  it('agent-missing: create-addon, then aws eks wait addon-active; the association settles ASSOCIATION_SETTLE_SECONDS before the annotation goes', async () => {
    world = await buildWorld('agent-missing', accounts);
    const settle = 8;
    // Written with a leading zero: seconds in decimal, not an octal number bash refuses.
    const out = await ok(world, 'migrate.sh', [], { VERIFY: 'warn', ASSOCIATION_SETTLE_SECONDS: `0${settle}` });
    expect(out).toContain('c1/eks-pod-identity-agent: waiting until it is ACTIVE');
    expect(out).toMatch(/waiting \d+s for the new associations to take effect \(ASSOCIATION_SETTLE_SECONDS=8\)/);
    const active = reportedActiveAt('eks-pod-identity-agent');
    const patches = world.kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    expect(active, 'DescribeAddon answered ACTIVE before the cut-over').toBeDefined();
    expect(patches[0]!.at).toBeGreaterThanOrEqual(active!);
    const created = shim.state.requests.find((r) => r.method === 'POST' && r.path === '/clusters/c1/pod-identity-associations')!;
    expect(patches[0]!.at - created.at).toBeGreaterThanOrEqual(settle * 1000);
  }, 400_000);

  it('addon-role: update-addon --pod-identity-associations, then wait until the add-on is ACTIVE again before its DaemonSet restarts', async () => {
    await world?.stop();
    world = await buildWorld('addon-role', accounts);
    const out = await ok(world, 'migrate.sh', [], { VERIFY: 'warn' });
    expect(out).toContain('c1/vpc-cni: waiting until it is ACTIVE');
    const active = reportedActiveAt('vpc-cni');
    const restart = world.kube.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/daemonsets/aws-node'));
    expect(active, 'DescribeAddon answered ACTIVE before the restart').toBeDefined();
    expect(restart!.at).toBeGreaterThanOrEqual(active!);

    // rollback.sh restores the add-on's associations, and waits for it again before the restart onto IRSA.
    const before = world.kube.requests.length;
    const back = await ok(world, 'rollback.sh', [], { ASSOCIATION_SETTLE_SECONDS: '3' });
    expect(back).toContain('c1/vpc-cni: waiting until it is ACTIVE');
    const restored = reportedActiveAt('vpc-cni');
    const updated = shim.state.requests.filter((r) => r.method === 'POST' && r.path === '/clusters/c1/addons/vpc-cni/update').at(-1)!;
    const again = world.kube.requests.slice(before).find((r) => r.method === 'PATCH' && r.path.endsWith('/daemonsets/aws-node'));
    expect(restored, 'DescribeAddon answered ACTIVE before the restart onto IRSA').toBeDefined();
    expect(again!.at).toBeGreaterThanOrEqual(restored!);
    expect(again!.at - updated.at).toBeGreaterThanOrEqual(3_000);
  }, 400_000);

  it('migrate.sh --phase cutover run on its own waits out ASSOCIATION_SETTLE_SECONDS from the modifiedAt of an association an earlier run made, never longer', async () => {
    await world?.stop();
    world = await buildWorld('basic', accounts);
    await ok(world, 'migrate.sh', ['--phase', 'trust']);
    await ok(world, 'migrate.sh', ['--phase', 'associations']);
    // However slow this machine is, the association is younger than the settle time: modified just
    // now by AWS's clock, which runs an hour ahead of this one (the wait is never longer than the setting).
    for (const s of shim.state.associations.values()) s.association.modifiedAt = Math.floor(Date.now() / 1000) + 3600;
    const out = await ok(world, 'migrate.sh', ['--phase', 'cutover'], { VERIFY: 'warn', ASSOCIATION_SETTLE_SECONDS: '4' });
    expect(out).toMatch(/^ {2}waiting 4s for association a-\S+ to take effect \(ASSOCIATION_SETTLE_SECONDS=4\)$/m);
    const listed = shim.state.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/clusters/c1/pod-identity-associations/')).at(-1)!;
    const patch = world.kube.requests.find((r) => r.method === 'PATCH' && r.path.includes('/serviceaccounts/'))!;
    expect(patch.at - listed.at).toBeGreaterThanOrEqual(4_000);

    for (const s of shim.state.associations.values()) s.association.modifiedAt = Math.floor(Date.now() / 1000) - 3600;
    const again = await ok(world, 'migrate.sh', ['--phase', 'cutover'], { VERIFY: 'warn', ASSOCIATION_SETTLE_SECONDS: '4' });
    expect(again).not.toMatch(/waiting \d+s for association/);
  }, 400_000);

  it('rollback.sh: the deleted associations settle ASSOCIATION_SETTLE_SECONDS before the workloads restart onto IRSA', async () => {
    await world?.stop();
    world = await buildWorld('basic', accounts);
    await ok(world, 'migrate.sh', [], { VERIFY: 'warn' });
    const before = world.kube.requests.length;
    const out = await ok(world, 'rollback.sh', [], { ASSOCIATION_SETTLE_SECONDS: '6' });
    expect(out).toMatch(/waiting \d+s for the deleted associations to take effect \(ASSOCIATION_SETTLE_SECONDS=6\)/);
    const deleted = shim.state.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/clusters/c1/pod-identity-associations/')).at(-1);
    const restart = world.kube.requests.slice(before).find((r) => r.method === 'PATCH' && !r.path.includes('/serviceaccounts/'));
    expect(deleted, 'the association deleted').toBeDefined();
    expect(restart, 'a workload restarted').toBeDefined();
    expect(restart!.at - deleted!.at).toBeGreaterThanOrEqual(6_000);
  }, 400_000);
});
