/**
 * The Terraform output run as a user runs it — `terraform fmt -check`, `init`, `validate`, `plan`,
 * `apply`, a second `plan` — against moto + the EKS shim, on the demo bundle: three clusters in two
 * regions, roles in two accounts, one adopted association, one adopted add-on, the agent add-on to
 * install, chaining roles. Then the emulators' state is read back and compared with the plan.
 *
 * The provider here is hashicorp/aws 5.100.0, which predates `target_role_arn` (6.2.0): the two
 * chained associations are applied without that one attribute (and the version constraint it
 * brings is lowered to 5.75.0 in an override file); everything else runs as generated.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import { buildWorld, liveInlinePolicy, liveTrust, type Accounts, type World } from './world.js';
import { terraformDir, terraformMissing, writeCliConfig, type TerraformDir } from './terraform-world.js';
import { stopAll } from '../helpers/stop.js';

const CLUSTER_ACCOUNT = '111122223333';
const ROLE_ACCOUNT = '444455556666';
const HAND_TAGS = { 'migrated-by': 'hand', team: 'platform' };
const ADDON_CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';

type Json = Record<string, any>;

/** A resource change of `terraform show -json` with the blocks Terraform lists as they are. */
interface Change {
  address: string;
  type: string;
  change: { actions: string[]; before: Json | null; after: Json | null; importing?: { id: string } };
}

const withoutTargetRoleArn = (files: { path: string; content: string }[]) =>
  files.map((f) => (f.path === 'associations.tf' ? { ...f, content: f.content.replace(/^ {2}target_role_arn *= .*\n/gm, '') } : f));

describe('generated Terraform on the demo: fmt, init, validate, plan, apply, plan again — against moto + EKS shim', () => {
  let motoA: MotoServer;
  let motoB: MotoServer;
  let shim: EksShim;
  let accounts: Accounts;
  let world: World;
  let tf: TerraformDir;
  let changes: Change[] = [];
  let before: { associations: Json[]; addons: Json[]; trust: Record<string, unknown> };
  let root: string | undefined;

  beforeAll(async () => {
    const missing = await terraformMissing();
    if (missing) throw new Error(`${missing}: the end-to-end Terraform test needs the machine image's terraform and provider plugin directory`);
    [motoA, motoB] = await Promise.all([startMoto({ accountId: CLUSTER_ACCOUNT }), startMoto({ accountId: ROLE_ACCOUNT })]);
    shim = await startEksShim({ motoEndpoint: motoA.endpoint, accountId: CLUSTER_ACCOUNT });
    accounts = {
      clusterAccount: CLUSTER_ACCOUNT,
      endpoints: { [CLUSTER_ACCOUNT]: shim.endpoint, [ROLE_ACCOUNT]: motoB.endpoint },
      motos: [motoA, motoB],
      shim,
    };
    world = await buildWorld('demo', accounts);
    // What a hand-made association and a configured add-on carry besides what the plan looks at.
    for (const s of shim.state.associations.values()) if (!s.association.ownerArn) s.association.tags = { ...HAND_TAGS };
    for (const s of shim.state.addons.values()) {
      s.addon.tags = { ...HAND_TAGS };
      s.addon.configurationValues = ADDON_CONFIG;
    }
    before = {
      associations: [...shim.state.associations.values()].map((s) => structuredClone(s.association)),
      addons: [...shim.state.addons.values()].map((s) => structuredClone(s.addon)),
      trust: Object.fromEntries(
        await Promise.all(world.plan.roles.filter((r) => r.kind === 'existing').map(async (r) => [r.arn, await liveTrust(accounts, r.arn)] as const)),
      ),
    };
    root = await mkdtemp(path.join(tmpdir(), 'irsa2pi-tf-'));
    tf = await terraformDir(root, world.plan, accounts, await writeCliConfig(root), withoutTargetRoleArn);
    await writeFile(
      path.join(tf.dir, 'versions_override.tf'),
      'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.75.0"\n    }\n  }\n}\n',
    );
  }, 120_000);
  afterAll(async () => {
    await stopAll(world, shim);
    await Promise.all([stopAll(motoA), stopAll(motoB)]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('is terraform fmt-clean, initialises offline from the plugin directory, and validates', async () => {
    const fmt = await tf.run(['fmt', '-check', '-diff']);
    expect(fmt.code, fmt.stdout + fmt.stderr).toBe(0);
    const init = await tf.ok(['init', '-backend=false']);
    expect(init).toMatch(/Installed hashicorp\/aws v5\.100\.0/);
    await tf.ok(['validate']);
  }, 300_000);

  it('plans imports that change nothing but the add-on associations, creates the rest, destroys nothing', async () => {
    await tf.ok(['plan', '-out=plan.out']);
    changes = (JSON.parse(await tf.ok(['show', '-json', 'plan.out'])) as { resource_changes: Change[] }).resource_changes;
    expect(changes.filter((c) => c.change.actions.includes('delete')).map((c) => c.address)).toEqual([]);

    const imports = changes.filter((c) => c.change.importing);
    const adopted = world.plan.associations.filter((a) => a.status === 'exists' && a.via === 'association');
    const adoptedAddons = new Set(world.plan.associations.filter((a) => a.via === 'addon' && a.status === 'create').map((a) => `${a.cluster}:${a.addon}`));
    expect(imports.map((c) => c.change.importing!.id).sort()).toEqual(
      [...adopted.map((a) => `${a.cluster},${a.existingAssociationId}`), ...adoptedAddons].sort(),
    );
    for (const c of imports.filter((x) => x.type === 'aws_eks_pod_identity_association')) {
      expect(c.change.actions, c.address).toEqual(['no-op']);
      expect(c.change.after!.tags, c.address).toEqual(HAND_TAGS);
    }
    for (const c of imports.filter((x) => x.type === 'aws_eks_addon')) {
      expect(c.change.actions, c.address).toEqual(['update']);
      const rest = (v: Json) => Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'pod_identity_association'));
      expect(rest(c.change.after!), `${c.address}: only pod_identity_association changes`).toEqual(rest(c.change.before!));
      expect(c.change.after!.tags).toEqual(HAND_TAGS);
      expect(c.change.after!.configuration_values).toBe(ADDON_CONFIG);
    }

    const creates = changes.filter((c) => c.change.actions.join() === 'create');
    const createdAssociations = creates
      .filter((c) => c.type === 'aws_eks_pod_identity_association')
      .map((c) => `${c.change.after!.cluster_name}/${c.change.after!.namespace}/${c.change.after!.service_account}`);
    expect(createdAssociations.sort()).toEqual(
      world.plan.associations
        .filter((a) => a.status === 'create' && a.via === 'association')
        .map((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`)
        .sort(),
    );
    expect(
      creates
        .filter((c) => c.type === 'aws_iam_role')
        .map((c) => c.change.after!.name)
        .sort(),
    ).toEqual(
      world.plan.roles
        .filter((r) => r.kind === 'new')
        .map((r) => r.name)
        .sort(),
    );
    expect(creates.filter((c) => c.type === 'aws_eks_addon').map((c) => `${c.change.after!.cluster_name}:${c.change.after!.addon_name}`)).toEqual(
      world.plan.steps.filter((s) => s.action === 'install-agent').map((s) => `${s.cluster}:eks-pod-identity-agent`),
    );
  }, 300_000);

  it('applies; the emulators then hold exactly what the plan said, and nothing that existed changed', async () => {
    await tf.ok(['apply', 'plan.out']);
    const live = [...shim.state.associations.values()].map((s) => s.association);

    // Associations: the ones that existed, untouched (tags included), plus one per planned create.
    for (const a of before.associations)
      expect(
        live.find((x) => x.associationId === a.associationId),
        a.associationId,
      ).toEqual(a);
    const created = live.filter((x) => !before.associations.some((a) => a.associationId === x.associationId) && !x.ownerArn);
    const key = (x: Json) => `${x.clusterName ?? x.cluster_name}/${x.namespace}/${x.serviceAccount ?? x.service_account}`;
    const planned = changes.filter((c) => c.type === 'aws_eks_pod_identity_association' && c.change.actions.join() === 'create').map((c) => c.change.after!);
    expect(created.map(key).sort()).toEqual(planned.map(key).sort());
    for (const x of created) {
      const p = world.plan.associations.find((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}` === key(x))!;
      const tfPlanned = planned.find((c) => key(c) === key(x))!;
      expect(x.roleArn, key(x)).toBe(tfPlanned.role_arn ?? p.roleArn);
      expect(x.roleArn, key(x)).toBe(p.roleArn);
      expect(x.targetRoleArn, `${key(x)}: target_role_arn is left out here (provider 5.100.0)`).toBeUndefined();
      expect(x.disableSessionTags).toBe(false);
    }

    // Add-ons: the adopted one keeps its version, configuration and tags and owns the planned
    // associations; the agent is installed where the plan said.
    for (const c of changes.filter((x) => x.type === 'aws_eks_addon')) {
      const after = c.change.after!;
      const addon = [...shim.state.addons.values()].map((s) => s.addon).find((a) => a.clusterName === after.cluster_name && a.addonName === after.addon_name)!;
      expect(addon, c.address).toBeDefined();
      const was = before.addons.find((a) => a.addonArn === addon.addonArn);
      if (was)
        expect({ v: addon.addonVersion, c: addon.configurationValues, t: addon.tags }).toEqual({
          v: was.addonVersion,
          c: was.configurationValues,
          t: was.tags,
        });
      const owned = live.filter((x) => x.ownerArn === addon.addonArn).map((x) => ({ role_arn: x.roleArn, service_account: x.serviceAccount }));
      const bySa = (a: { service_account: string }, b: { service_account: string }) => a.service_account.localeCompare(b.service_account);
      expect(owned.sort(bySa), c.address).toEqual([...((after.pod_identity_association ?? []) as { role_arn: string; service_account: string }[])].sort(bySa));
    }

    // Roles: Terraform never touches an existing role's trust; the chaining roles are created.
    for (const [arn, trust] of Object.entries(before.trust)) expect(await liveTrust(accounts, arn), arn).toEqual(trust);
    for (const r of world.plan.roles.filter((x) => x.kind === 'new')) {
      expect(await liveTrust(accounts, r.arn), r.arn).toEqual(r.trustPolicy.transition);
      expect(await liveInlinePolicy(accounts, r.arn, 'irsa2pi-chain'), r.arn).toEqual(r.permissionsPolicy);
    }
  }, 300_000);

  it('plans nothing the second time', async () => {
    const again = await tf.run(['plan', '-detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  }, 300_000);

  it('stops the plan when an adopted add-on has an association it does not list, instead of deleting it', async () => {
    const adopted = changes.filter((c) => c.type === 'aws_eks_addon' && c.change.importing);
    expect(adopted.length).toBeGreaterThan(0);
    const { cluster_name: cluster, addon_name: name } = adopted[0]!.change.after!;
    const stored = [...shim.state.addons.values()].find((s) => s.addon.clusterName === cluster && s.addon.addonName === name)!;
    const extra = shim.seedAssociation({
      clusterName: cluster,
      region: stored.region,
      namespace: 'kube-system',
      serviceAccount: 'added-by-hand',
      roleArn: `arn:aws:iam::${CLUSTER_ACCOUNT}:role/added-by-hand`,
      ownerArn: stored.addon.addonArn,
    });
    stored.addon.podIdentityAssociations.push(extra.associationArn);
    try {
      const r = await tf.run(['plan', `-target=${adopted[0]!.address}`]);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr.replace(/\s+/g, ' ')).toContain(
        `Add-on ${name} on cluster ${cluster} has Pod Identity associations this configuration does not list, and applying would delete them: added-by-hand arn:aws:iam::${CLUSTER_ACCOUNT}:role/added-by-hand.`,
      );
    } finally {
      shim.state.associations.delete(extra.associationId);
      stored.addon.podIdentityAssociations.pop();
    }
  }, 300_000);

  it('refuses a plain terraform destroy of what it adopted', async () => {
    const destroy = await tf.run(['plan', '-destroy', '-refresh=false', '-json']);
    expect(destroy.code).toBe(1);
    const messages = destroy.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json);
    const refused = messages
      .filter((m) => m.diagnostic?.summary === 'Instance cannot be destroyed')
      .map((m) => /^Resource (\S+) has lifecycle\.prevent_destroy set/.exec(m.diagnostic.detail as string)?.[1])
      .sort();
    const adopted = changes
      .filter((c) => c.change.importing)
      .map((c) => c.address)
      .sort();
    expect(adopted.length).toBeGreaterThan(0);
    expect(refused, destroy.stdout).toEqual(adopted);
    expect(await readFile(path.join(tf.dir, 'README.md'), 'utf8')).toContain('terraform state rm');
  }, 300_000);

  it("rolls back as its README says: the README's terraform destroy -target deletes the created associations and nothing else", async () => {
    const readme = await readFile(path.join(tf.dir, 'README.md'), 'utf8');
    const targets = /`terraform destroy((?: -target=[^\s`]+)+)`/.exec(readme)?.[1]?.trim().split(' ') ?? [];
    expect(targets.length).toBeGreaterThan(0);
    const ownedBefore = [...shim.state.associations.values()].filter((s) => s.association.ownerArn).map((s) => structuredClone(s.association));
    await tf.ok(['destroy', '-auto-approve', ...targets]);
    const live = [...shim.state.associations.values()].map((s) => s.association);
    expect(live.filter((a) => !a.ownerArn)).toEqual(before.associations.filter((a) => !a.ownerArn));
    expect(live.filter((a) => a.ownerArn)).toEqual(ownedBefore);
    for (const r of world.plan.roles.filter((x) => x.kind === 'new'))
      expect(await liveTrust(accounts, r.arn), `${r.arn} goes last, after the trust`).toEqual(r.trustPolicy.transition);
  }, 300_000);
});
