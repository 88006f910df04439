import { describe, expect, it } from 'vitest';
import type { PlannedRole } from '../../src/plan/model.js';
import { CLUSTER_ACCOUNT as ACCOUNT, expectTrust, ok, singleAccount } from './lifecycle.js';
import { associationSummaries, failingAws, liveTrust, twoRolesBundle, type World } from './world.js';

const ROLE_ARN = 'eks.amazonaws.com/role-arn';
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/someone-else`;

function annotation(w: World, ns: string, sa: string): string | undefined {
  return w.kube.get('ServiceAccount', ns, sa)?.metadata.annotations?.[ROLE_ARN];
}

function restartedAt(w: World, name: string): string | undefined {
  const d = w.kube.get('Deployment', 'shop', name) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } } | undefined;
  return d?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
}

function deploymentVersion(w: World, name: string): string | undefined {
  return w.kube.get('Deployment', 'shop', name)?.metadata.resourceVersion;
}

function role(w: World, name: string): PlannedRole {
  const r = w.plan.roles.find((x) => x.name === name);
  if (!r) throw new Error(`no role ${name} in the plan`);
  return r;
}

/** The pods of a service account stop running (a CronJob between runs, a Deployment scaled to zero). */
function stopPods(w: World, sa: string): void {
  for (const p of w.kube.objects().filter((o) => o.kind === 'Pod' && (o.spec as { serviceAccountName?: string }).serviceAccountName === sa)) {
    w.kube.put({ ...p, status: { phase: 'Succeeded' } });
  }
}

/** The commands a script ran (`+ 'aws' …` lines), in order. */
function commands(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('+ '));
}

function indexOf(lines: string[], ...parts: string[]): number {
  const i = lines.findIndex((l) => parts.every((p) => l.includes(p)));
  expect(i, `a command with ${parts.join(' ')} in\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe('generated scripts: what each step checks before it acts, and what a failure stops (moto + EKS shim + Kubernetes fake)', () => {
  const env = singleAccount();

  it('finalize.sh keeps the trust of a role whose identity migrate.sh refused, and finalizes the other role', async () => {
    const w = await env.load(await twoRolesBundle());
    env.accounts().shim.seedAssociation({ clusterName: 'c1', namespace: 'shop', serviceAccount: 'cart-reader', roleArn: OTHER_ROLE, region: 'eu-west-1' });
    const m = await w.run('migrate.sh', [], { VERIFY: 'warn' });
    expect(m.code).toBe(1);
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
    expect(annotation(w, 'shop', 'cart-writer')).toBeUndefined();

    for (let run = 0; run < 2; run++) {
      const f = await w.run('finalize.sh', [], { VERIFY: 'warn' });
      expect(f.code, f.stdout + f.stderr).toBe(1);
      expect(f.stderr).toMatch(
        new RegExp(`^ERROR: c1/shop/cart-reader: association \\S+ uses ${OTHER_ROLE} .*the trust of s3-readers \\(${ACCOUNT}\\) is kept`, 'm'),
      );
      expect(await liveTrust(env.accounts(), role(w, 's3-readers').arn)).toEqual(role(w, 's3-readers').trustPolicy.transition);
      expect(await liveTrust(env.accounts(), role(w, 's3-writers').arn)).toEqual(role(w, 's3-writers').trustPolicy.final);
    }
  }, 120_000);

  it('finalize.sh keeps the trust while a service account with no running pods still has its IRSA annotation', async () => {
    const w = await env.load('basic');
    await ok(w, 'migrate.sh', ['--phase', 'trust']);
    await ok(w, 'migrate.sh', ['--phase', 'associations']);
    stopPods(w, 'cart-reader');
    const f = await w.run('finalize.sh');
    expect(f.code, f.stdout + f.stderr).toBe(1);
    expect(f.stderr).toContain('c1/shop/cart-reader: no running pods to verify');
    expect(f.stderr).toMatch(/^ERROR: c1\/shop\/cart-reader: its service account is still annotated with \S+s3-readers \(IRSA\)/m);
    await expectTrust(env.accounts(), w, 'transition');

    await ok(w, 'migrate.sh', ['--phase', 'cutover']);
    await ok(w, 'finalize.sh');
    await expectTrust(env.accounts(), w, 'final');
  }, 90_000);

  it('migrate.sh --phase cutover confirms the planned association itself before it removes an annotation', async () => {
    const w = await env.load('basic');
    await ok(w, 'migrate.sh', ['--phase', 'trust']);
    const none = await w.run('migrate.sh', ['--phase', 'cutover']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^ERROR: c1\/shop\/cart-reader: it has no Pod Identity association; annotation kept, no restart$/m);
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
    expect(restartedAt(w, 'cart')).toBeUndefined();

    env.accounts().shim.seedAssociation({ clusterName: 'c1', namespace: 'shop', serviceAccount: 'cart-reader', roleArn: OTHER_ROLE, region: 'eu-west-1' });
    expect((await w.run('migrate.sh', [], { VERIFY: 'warn' })).code).toBe(1);
    const other = await w.run('migrate.sh', ['--phase', 'cutover']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(
      new RegExp(
        `^ERROR: c1/shop/cart-reader: association \\S+ uses ${OTHER_ROLE} → None, not arn:aws:iam::${ACCOUNT}:role/s3-readers → None; annotation kept, no restart$`,
        'm',
      ),
    );
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
    expect(restartedAt(w, 'cart')).toBeUndefined();
  }, 90_000);

  it('migrate.sh --phase associations or cutover before the trust phase changes nothing, since the role would refuse the new pods', async () => {
    const w = await env.load('basic');
    for (const [phase, kept] of [
      ['associations', 'no association, annotation kept'],
      ['cutover', 'annotation kept, no restart'],
    ] as const) {
      const r = await w.run('migrate.sh', ['--phase', phase]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^ERROR: c1/shop/cart-reader: the trust of s3-readers \\(${ACCOUNT}\\) does not admit Pod Identity yet \\(run the trust phase first\\); ${kept}$`,
          'm',
        ),
      );
    }
    expect(associationSummaries(env.accounts().shim)).toEqual([]);
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
    expect(restartedAt(w, 'cart')).toBeUndefined();
    await expectTrust(env.accounts(), w, 'current');

    await ok(w, 'migrate.sh', ['--phase', 'trust']);
    await ok(w, 'migrate.sh', ['--phase', 'associations']);
    await ok(w, 'migrate.sh', ['--phase', 'cutover']);
    expect(associationSummaries(env.accounts().shim).map((a) => a.serviceAccount)).toEqual(['cart-reader']);
    expect(annotation(w, 'shop', 'cart-reader')).toBeUndefined();
    await ok(w, 'finalize.sh', [], { VERIFY: 'warn' });
    await ok(w, 'migrate.sh', ['--phase', 'cutover']);
  }, 120_000);

  it('migrate.sh --phase addons before the trust phase leaves the add-on as it is', async () => {
    const w = await env.load('addon-role');
    const addon = () => [...env.accounts().shim.state.addons.values()].find((s) => s.addon.addonName === 'vpc-cni')!.addon;
    const before = addon().podIdentityAssociations;
    const r = await w.run('migrate.sh', ['--phase', 'addons']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^ERROR: c1/kube-system/aws-node: the trust of AmazonEKSVPCCNIRole \\(${ACCOUNT}\\) does not admit Pod Identity yet \\(run the trust phase first\\); not added to add-on vpc-cni$`,
        'm',
      ),
    );
    expect(addon().podIdentityAssociations).toEqual(before);
    expect(commands(r.stdout).filter((l) => l.includes("'update-addon'"))).toEqual([]);

    await ok(w, 'migrate.sh', ['--phase', 'trust']);
    await ok(w, 'migrate.sh', ['--phase', 'addons']);
    expect(associationSummaries(env.accounts().shim)).toEqual([expect.objectContaining({ serviceAccount: 'aws-node', owned: true })]);
  }, 120_000);

  it('a failed create-pod-identity-association is an ERROR for that identity only; the next run completes it', async () => {
    const w = await env.load(await twoRolesBundle());
    const failing = await failingAws(w, 'create-pod-identity-association .*--service-account cart-reader ');
    const r = await w.run('migrate.sh', [], { VERIFY: 'warn', ...failing });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: c1\/shop\/cart-reader: cannot create its association: .*injected by the test/m);
    expect(r.stdout).toContain('c1/shop/cart-reader: skipped');
    expect(r.stdout).toContain('migrate.sh: finished WITH ERRORS');
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
    expect(restartedAt(w, 'cart')).toBeUndefined();
    expect(annotation(w, 'shop', 'cart-writer')).toBeUndefined();
    expect(restartedAt(w, 'cart-writer')).toBeTruthy();
    expect(associationSummaries(env.accounts().shim).map((a) => a.serviceAccount)).toEqual(['cart-writer']);

    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    expect(annotation(w, 'shop', 'cart-reader')).toBeUndefined();
    expect(restartedAt(w, 'cart')).toBeTruthy();
    expect(associationSummaries(env.accounts().shim).map((a) => a.serviceAccount)).toEqual(['cart-reader', 'cart-writer']);
    await expectTrust(env.accounts(), w, 'transition');
  }, 120_000);

  it('a failed transition trust is an ERROR for that role; its identities are not cut over, the other role goes ahead', async () => {
    const w = await env.load(await twoRolesBundle());
    const failing = await failingAws(w, 'update-assume-role-policy --role-name s3-readers ');
    const r = await w.run('migrate.sh', [], { VERIFY: 'warn', ...failing });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: s3-readers \(111122223333\): cannot set its trust at transition: .*injected by the test/m);
    expect(await liveTrust(env.accounts(), role(w, 's3-readers').arn)).toEqual(role(w, 's3-readers').trustPolicy.current);
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
    expect(restartedAt(w, 'cart')).toBeUndefined();
    expect(associationSummaries(env.accounts().shim).map((a) => a.serviceAccount)).toEqual(['cart-writer']);
    expect(r.stdout).toContain('c1/shop/cart-reader: no association (something it depends on failed');
    expect(await liveTrust(env.accounts(), role(w, 's3-writers').arn)).toEqual(role(w, 's3-writers').trustPolicy.transition);
    expect(annotation(w, 'shop', 'cart-writer')).toBeUndefined();
    expect(restartedAt(w, 'cart-writer')).toBeTruthy();

    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    await expectTrust(env.accounts(), w, 'transition');
    expect(associationSummaries(env.accounts().shim).map((a) => a.serviceAccount)).toEqual(['cart-reader', 'cart-writer']);
    expect(annotation(w, 'shop', 'cart-reader')).toBeUndefined();
    expect(restartedAt(w, 'cart')).toBeTruthy();
  }, 120_000);

  it("a failed transition trust of an add-on's role leaves the add-on without that service account; the next run adds it", async () => {
    const w = await env.load('addon-role');
    const addon = () => [...env.accounts().shim.state.addons.values()].find((s) => s.addon.addonName === 'vpc-cni')!.addon;
    const before = addon().podIdentityAssociations;
    const r = await w.run('migrate.sh', [], { VERIFY: 'warn', ...(await failingAws(w, 'update-assume-role-policy --role-name AmazonEKSVPCCNIRole ')) });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^ERROR: AmazonEKSVPCCNIRole \(111122223333\): cannot set its trust at transition: .*injected by the test/m);
    expect(addon().podIdentityAssociations).toEqual(before);
    expect(associationSummaries(env.accounts().shim)).toEqual([]);
    expect(commands(r.stdout).filter((l) => l.includes("'update-addon'"))).toEqual([]);
    expect(r.stdout).toContain('c1/vpc-cni: not updated, since none of its service accounts goes ahead');
    expect(w.kube.get('ServiceAccount', 'kube-system', 'aws-node')?.metadata.annotations?.[ROLE_ARN]).toBe(role(w, 'AmazonEKSVPCCNIRole').arn);

    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    expect(associationSummaries(env.accounts().shim)).toEqual([expect.objectContaining({ serviceAccount: 'aws-node', owned: true })]);
  }, 120_000);

  it('rollback.sh re-annotates and restarts while the trust admits both, deletes the association before the restart, restores the trust last', async () => {
    const w = await env.load('basic');
    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    await ok(w, 'finalize.sh', [], { VERIFY: 'warn' });
    const out = commands(await ok(w, 'rollback.sh'));
    const admit = indexOf(out, "'update-assume-role-policy'", "'--role-name' 's3-readers'", '.transition.json');
    const annotate = indexOf(out, "'annotate' 'serviceaccount' 'cart-reader'", 'role-arn=');
    const remove = indexOf(out, "'delete-pod-identity-association'");
    const restart = indexOf(out, "'rollout' 'restart' 'deployment/cart'");
    const restore = indexOf(out, "'update-assume-role-policy'", "'--role-name' 's3-readers'", '/backup/');
    expect([admit, annotate, remove, restart, restore]).toEqual([...[admit, annotate, remove, restart, restore]].sort((a, b) => a - b));
    await expectTrust(env.accounts(), w, 'current');
  }, 90_000);

  it('rollback.sh --cluster keeps the saved trust of a role that also serves another cluster, as does --phase trust while state/ lists an identity; a full rollback restores it', async () => {
    const w = await env.load('shared-role-two-clusters');
    const shared = role(w, 'read-from-s3');
    const annotated = (cluster: string, sa: string) => w.kubes[cluster]!.get('ServiceAccount', 'media', sa)?.metadata.annotations?.[ROLE_ARN];
    const associated = () => associationSummaries(env.accounts().shim).map((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`);
    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    await ok(w, 'finalize.sh', [], { VERIFY: 'warn' });
    expect(associated()).toEqual(['c1/media/thumbnailer', 'c2/media/thumbnailer', 'c2/media/transcoder']);
    expect(await liveTrust(env.accounts(), shared.arn)).toEqual(shared.trustPolicy.final);

    const one = await w.run('rollback.sh', ['--cluster', 'c1']);
    expect(await liveTrust(env.accounts(), shared.arn)).toEqual(shared.trustPolicy.transition);
    expect(one.code, one.stdout + one.stderr).toBe(1);
    expect(one.stderr).toMatch(
      /^ERROR: read-from-s3 \(111122223333\): also serves cluster c2 \(c2\/media\/thumbnailer\), which this run does not roll back; trust kept/m,
    );
    expect(annotated('c1', 'thumbnailer')).toBe(shared.arn);
    expect(annotated('c2', 'thumbnailer')).toBeUndefined();
    expect(associated()).toEqual(['c2/media/thumbnailer', 'c2/media/transcoder']);

    const trustOnly = await w.run('rollback.sh', ['--phase', 'trust']);
    expect(await liveTrust(env.accounts(), shared.arn)).toEqual(shared.trustPolicy.transition);
    expect(trustOnly.code, trustOnly.stdout + trustOnly.stderr).toBe(1);
    expect(trustOnly.stderr).toMatch(
      /^ERROR: read-from-s3 \(111122223333\): c2\/media\/thumbnailer is not rolled back yet \(state\/annotations.txt lists it\); trust kept/m,
    );

    const dry = await ok(w, 'rollback.sh', ['--dry-run']);
    expect(dry).toMatch(/\(dry run\) \+ 'aws' .*'update-assume-role-policy' '--role-name' 'read-from-s3' .*backup/);
    expect(await liveTrust(env.accounts(), shared.arn)).toEqual(shared.trustPolicy.transition);

    await ok(w, 'rollback.sh');
    await expectTrust(env.accounts(), w, 'current');
    expect(associated()).toEqual([]);
    for (const [cluster, sa] of [
      ['c1', 'thumbnailer'],
      ['c2', 'thumbnailer'],
      ['c2', 'transcoder'],
    ] as const)
      expect(annotated(cluster, sa)).toBe(shared.arn);
    expect(await ok(w, 'rollback.sh', ['--cluster', 'c1'])).toContain('read-from-s3 (111122223333): trust already as saved');
  }, 150_000);

  it('rollback.sh: a failed association delete keeps that identity on Pod Identity and its role admitting it; the next run completes', async () => {
    const w = await env.load(await twoRolesBundle());
    await ok(w, 'migrate.sh', [], { VERIFY: 'warn' });
    await ok(w, 'finalize.sh', [], { VERIFY: 'warn' });
    const reader = [...env.accounts().shim.state.associations.values()].find((s) => s.association.serviceAccount === 'cart-reader')!.association.associationId;
    const cart = deploymentVersion(w, 'cart');
    const writer = deploymentVersion(w, 'cart-writer');
    const r = await w.run('rollback.sh', [], await failingAws(w, `delete-pod-identity-association .*--association-id ${reader}`));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^ERROR: c1/shop/cart-reader: cannot delete association ${reader}: .*injected by the test`, 'm'));
    expect(associationSummaries(env.accounts().shim).map((a) => a.serviceAccount)).toEqual(['cart-reader']);
    expect(deploymentVersion(w, 'cart')).toBe(cart);
    expect(await liveTrust(env.accounts(), role(w, 's3-readers').arn)).toEqual(role(w, 's3-readers').trustPolicy.transition);
    expect(deploymentVersion(w, 'cart-writer')).not.toBe(writer);
    expect(await liveTrust(env.accounts(), role(w, 's3-writers').arn)).toEqual(role(w, 's3-writers').trustPolicy.current);
    expect(annotation(w, 'shop', 'cart-writer')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-writers`);

    await ok(w, 'rollback.sh');
    expect(associationSummaries(env.accounts().shim)).toEqual([]);
    expect(deploymentVersion(w, 'cart')).not.toBe(cart);
    await expectTrust(env.accounts(), w, 'current');
    expect(annotation(w, 'shop', 'cart-reader')).toBe(`arn:aws:iam::${ACCOUNT}:role/s3-readers`);
  }, 150_000);
});
