/**
 * The life of a migration against the emulators: dry run, migrate (twice), finalize (twice),
 * rollback (twice), each followed by reading the emulators' state back.
 * @module
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect } from 'vitest';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import type { PlannedAssociation } from '../../src/plan/model.js';
import { associationSummaries, buildWorld, liveInlinePolicy, liveTrust, snapshot, type Accounts, type World, type WorldOptions } from './world.js';
import { stopAll } from '../helpers/stop.js';

export const CLUSTER_ACCOUNT = '111122223333';

const migrating = (a: PlannedAssociation) => a.status === 'create' || a.status === 'exists';

/** Runs a script and expects exit 0, with its output in the failure message. */
export async function ok(world: World, script: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const r = await world.run(script, args, env);
  expect(r.code, `${script} ${args.join(' ')}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
  return r.stdout + r.stderr;
}

/** Every role of the plan is at `phase` (existing roles), the chaining roles exist with their trust. */
export async function expectTrust(accounts: Accounts, world: World, phase: 'current' | 'transition' | 'final'): Promise<void> {
  for (const r of world.plan.roles) {
    if (r.kind === 'new') continue;
    expect(await liveTrust(accounts, r.arn), `${r.arn} at ${phase}`).toEqual(r.trustPolicy[phase]);
  }
}

export async function expectChainRoles(accounts: Accounts, world: World, present: boolean): Promise<void> {
  for (const r of world.plan.roles.filter((x) => x.kind === 'new')) {
    if (present) {
      expect(await liveTrust(accounts, r.arn)).toEqual(r.trustPolicy.transition);
      expect(await liveInlinePolicy(accounts, r.arn, 'irsa2pi-chain')).toEqual(r.permissionsPolicy);
    } else {
      await expect(liveTrust(accounts, r.arn)).rejects.toThrow(/not found|NoSuchEntity/i);
    }
  }
}

/**
 * Each add-on's serviceAccountRoleArn, by ARN. The plan keeps it through migrate, finalize and
 * rollback: with the agent installed EKS ignores it for an add-on that has a Pod Identity
 * association, and uses it again once rollback takes the association away (EKS add-on docs,
 * add-ons-iam.html).
 */
function addonRoleArns(accounts: Accounts): Record<string, string | null> {
  return Object.fromEntries([...accounts.shim.state.addons.values()].map((s) => [s.addon.addonArn, s.addon.serviceAccountRoleArn ?? null]));
}

/**
 * The full cycle; asserts everything. `repeatAll: false` skips the second finalize and rollback
 * runs and `dryRun: false` the dry run (both proven on basic and cross-account) to keep the suite fast.
 */
export async function lifecycle(accounts: Accounts, world: World, { repeatAll = true, dryRun = true } = {}): Promise<void> {
  const initialAssociations = associationSummaries(accounts.shim);
  const initialAddonRoles = addonRoleArns(accounts);
  const s0 = await snapshot(accounts, world);

  // Dry run: prints the changes, changes nothing, writes no backup or state.
  if (dryRun) {
    const dry = await ok(world, 'migrate.sh', ['--dry-run'], { VERIFY: 'warn' });
    expect(dry).toContain('(dry run) +');
    expect(await snapshot(accounts, world)).toEqual(s0);
    expect(existsSync(world.stateDir)).toBe(false);
  }

  // Migrate: transition trust, associations, annotations removed, workloads restarted.
  await ok(world, 'migrate.sh', [], { VERIFY: 'warn' });
  await expectTrust(accounts, world, 'transition');
  await expectChainRoles(accounts, world, true);
  const after = associationSummaries(accounts.shim);
  for (const a of world.plan.associations.filter(migrating)) {
    const got = after.find((x) => x.cluster === a.cluster && x.namespace === a.namespace && x.serviceAccount === a.serviceAccount);
    expect(got, `association of ${a.cluster}/${a.namespace}/${a.serviceAccount}`).toMatchObject({
      roleArn: a.roleArn,
      targetRoleArn: a.targetRoleArn,
      owned: a.via === 'addon',
    });
    const sa = world.kube.get('ServiceAccount', a.namespace, a.serviceAccount)!;
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
    for (const w of a.workloads.filter((x) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(x.kind))) {
      const obj = world.kube.get(w.kind, w.namespace, w.name) as { spec: { template: { metadata: { annotations?: Record<string, string> } } } } | undefined;
      expect(obj?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'], `${w.kind}/${w.name} restarted`).toBeTruthy();
    }
  }
  for (const pre of initialAssociations) expect(after).toContainEqual(pre);
  expect(addonRoleArns(accounts), 'add-ons keep their serviceAccountRoleArn').toEqual(initialAddonRoles);
  for (const a of world.plan.associations.filter((x) => !migrating(x))) {
    const sa = world.kube.get('ServiceAccount', a.namespace, a.serviceAccount)!;
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn'], `${a.namespace}/${a.serviceAccount} untouched`).toBe(a.currentRoleArn);
  }

  // Second run: nothing changes, exit 0.
  const s1 = await snapshot(accounts, world);
  await ok(world, 'migrate.sh', [], { VERIFY: 'warn' });
  expect(await snapshot(accounts, world)).toEqual(s1);

  // Finalize: final trust; again: nothing changes.
  await ok(world, 'finalize.sh', [], { VERIFY: 'warn' });
  await expectTrust(accounts, world, 'final');
  expect(addonRoleArns(accounts), 'add-ons keep their serviceAccountRoleArn').toEqual(initialAddonRoles);
  if (repeatAll) {
    const s2 = await snapshot(accounts, world);
    await ok(world, 'finalize.sh', [], { VERIFY: 'warn' });
    expect(await snapshot(accounts, world)).toEqual(s2);
  }

  // Rollback: original trust exactly, only created associations and roles removed, annotations back.
  await ok(world, 'rollback.sh');
  await expectTrust(accounts, world, 'current');
  await expectChainRoles(accounts, world, false);
  expect(associationSummaries(accounts.shim)).toEqual(initialAssociations);
  expect(addonRoleArns(accounts), 'add-ons keep their serviceAccountRoleArn').toEqual(initialAddonRoles);
  for (const a of world.plan.associations.filter(migrating)) {
    const sa = world.kube.get('ServiceAccount', a.namespace, a.serviceAccount)!;
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(a.currentRoleArn);
  }
  if (repeatAll) {
    const s3 = await snapshot(accounts, world);
    await ok(world, 'rollback.sh');
    expect(await snapshot(accounts, world)).toEqual(s3);
  }
}

/** One account: moto behind the EKS shim, started once per test file. */
export function singleAccount(): { accounts: () => Accounts; load: (fixture: string, options?: WorldOptions) => Promise<World> } {
  let moto: MotoServer | undefined;
  let shim: EksShim | undefined;
  let accounts: Accounts;
  let world: World | undefined;
  beforeAll(async () => {
    moto = await startMoto({ accountId: CLUSTER_ACCOUNT });
    shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: CLUSTER_ACCOUNT });
    accounts = { clusterAccount: CLUSTER_ACCOUNT, endpoints: { [CLUSTER_ACCOUNT]: shim.endpoint }, motos: [moto], shim };
  });
  afterAll(async () => {
    await world?.stop();
    await stopAll(shim, moto);
  });
  return {
    accounts: () => accounts,
    load: async (fixture, options) => {
      await world?.stop();
      world = await buildWorld(fixture, accounts, options);
      return world;
    },
  };
}
