/**
 * Finalize and rollback of owned roles when the owner moved first: the owners estate on moto behind the
 * EKS shim and the CloudFormation shim, the generated scripts run with the real AWS CLI.
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sortedKeys } from '../../src/emit/plan/script/stack-template.js';
import { startCloudFormationShim, type CloudFormationShim } from '../helpers/cloudformation-shim.js';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { runCommand } from '../helpers/exec.js';
import { sdkConfig, startMoto, type MotoServer } from '../helpers/moto.js';
import { stopAll } from '../helpers/stop.js';
import { CLUSTER_ACCOUNT as ACCOUNT } from './lifecycle.js';
import { associationSummaries, buildWorld, FIXTURES, liveTrust, type Accounts, type World } from './world.js';

const STACK = 'eksctl-c1-addon-iamserviceaccount-shop-cart';
const REPORTS = `arn:aws:iam::${ACCOUNT}:role/reports-reader`;

describe('a Terraform-owned trust put back to IRSA-only after cut-over', () => {
  let moto: MotoServer | undefined;
  let eks: EksShim | undefined;
  let cfn: CloudFormationShim | undefined;
  let world: World | undefined;
  let accounts: Accounts;

  beforeAll(async () => {
    moto = await startMoto({ accountId: ACCOUNT });
    eks = await startEksShim({ motoEndpoint: moto.endpoint, accountId: ACCOUNT });
    cfn = await startCloudFormationShim({ upstream: eks.endpoint, motoEndpoint: moto.endpoint, accountId: ACCOUNT });
    accounts = { clusterAccount: ACCOUNT, endpoints: { [ACCOUNT]: cfn.endpoint }, motos: [moto], shim: eks };
  });
  afterAll(async () => {
    await world?.stop();
    await stopAll(cfn, eks, moto);
  });

  /** The owners estate in the emulators, its eksctl stack seeded into the CloudFormation shim as the evidence has it. */
  async function estateWithStack(): Promise<World> {
    await world?.stop();
    cfn!.clear();
    const estate = path.join(FIXTURES, 'owners', 'estate');
    world = await buildWorld(estate, accounts);
    const saved = JSON.parse(await readFile(path.join(estate, 'aws', ACCOUNT, 'eu-west-1', `cloudformation-template-${STACK}.json`), 'utf8')) as {
      TemplateBody: Record<string, unknown>;
    };
    cfn!.seedStack({
      name: STACK,
      region: 'eu-west-1',
      template: saved.TemplateBody,
      resources: [{ logicalId: 'Role1', type: 'AWS::IAM::Role', physicalId: `${STACK}-Role1-Q2T7XW9KJ0ZP` }],
      tags: { 'alpha.eksctl.io/cluster-name': 'c1' },
    });
    return world;
  }

  it('finalize.sh reports the cut-over identity whose role no longer admits Pod Identity (ERROR, exit 1), not "not migrated yet" with exit 0', async () => {
    const w = await estateWithStack();
    const run = (script: string, args: string[]) =>
      runCommand('bash', [path.join(w.dir, script), ...args], { env: { ...w.env, VERIFY: 'warn' }, timeoutMs: 400_000 });
    const reports = w.plan.roles.find((r) => r.arn === REPORTS)!;
    const iam = new IAMClient(sdkConfig(moto!.endpoint));
    const setTrust = (doc: unknown) => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'reports-reader', PolicyDocument: JSON.stringify(doc) }));

    // The operator applies Terraform's transition trust (jsonencode: keys sorted); migrate cuts reports/reporter over.
    await setTrust(sortedKeys(reports.trustPolicy.transition));
    const m = await run('migrate.sh', []);
    const annotation = w.kube.get('ServiceAccount', 'reports', 'reporter')!.metadata.annotations?.['eks.amazonaws.com/role-arn'];
    expect(annotation, m.stdout + m.stderr).toBeUndefined();
    expect(associationSummaries(eks!)).toContainEqual(expect.objectContaining({ serviceAccount: 'reporter', roleArn: REPORTS }));

    // A terraform apply from a stale state puts the IRSA-only trust back: reporter's pods, on Pod Identity, get no credentials.
    await setTrust(reports.trustPolicy.current);
    expect(await liveTrust(accounts, REPORTS)).toEqual(reports.trustPolicy.current);

    const fin = await run('finalize.sh', []);
    expect(fin.stderr).not.toMatch(/ERROR: .*c1\/shop\/cart/);
    const out = fin.stdout + fin.stderr;
    expect(out).not.toMatch(/NOTE: c1\/reports\/reporter: not verified, not migrated yet/);
    expect(fin.stderr).toMatch(/ERROR: .*reports-reader/);
    expect(fin.code, out).toBe(1);
  }, 900_000);
  it('finalize.sh does not pass a Terraform-owned trust already at its final document while its identity is still on IRSA ("trust already final", exit 0)', async () => {
    await world?.stop();
    cfn!.clear();
    world = await buildWorld(path.join(FIXTURES, 'owners', 'estate'), accounts);
    const w = world;
    const reports = w.plan.roles.find((r) => r.arn === REPORTS)!;
    // The operator applies the final trust of --format terraform too early: reports/reporter, still annotated, loses IRSA.
    await new IAMClient(sdkConfig(moto!.endpoint)).send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'reports-reader', PolicyDocument: JSON.stringify(sortedKeys(reports.trustPolicy.final)) }),
    );
    expect(w.kube.get('ServiceAccount', 'reports', 'reporter')!.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(REPORTS);
    const fin = await runCommand('bash', [path.join(w.dir, 'finalize.sh'), '--phase', 'trust'], {
      env: { ...w.env, VERIFY: 'warn' },
      timeoutMs: 400_000,
    });
    const out = fin.stdout + fin.stderr;
    expect(out).not.toContain('reports-reader (111122223333): trust already final');
    expect(fin.stderr).toMatch(/ERROR: .*reports\/reporter.*reports-reader|ERROR: .*reports-reader.*reports\/reporter/);
  }, 900_000);
  it("rollback.sh does not switch a stack-owned role's identity back to IRSA while its stack is mid-update to the final trust", async () => {
    const w = await estateWithStack();
    const run = (script: string) => runCommand('bash', [path.join(w.dir, script)], { env: { ...w.env, VERIFY: 'warn' }, timeoutMs: 400_000 });
    const cart = () => w.kube.get('ServiceAccount', 'shop', 'cart')!.metadata.annotations?.['eks.amazonaws.com/role-arn'];
    const m = await run('migrate.sh');
    expect(cart(), m.stdout + m.stderr).toBeUndefined();
    // finalize.sh executed its final change set and was interrupted while waiting: the stack is UPDATE_IN_PROGRESS with
    // the final template, and CloudFormation has not yet written the final trust (IRSA still admitted for a moment).
    const stack = cfn!.state.stacks.get(`eu-west-1/${STACK}`)!;
    stack.template = JSON.parse(await readFile(path.join(w.dir, 'stack', `${ACCOUNT}-${STACK}-Role1-Q2T7XW9KJ0ZP.final.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    stack.status = 'UPDATE_IN_PROGRESS';
    const back = await run('rollback.sh');
    // Once the update completes, the role admits no IRSA: cart must not have been put back on IRSA.
    expect(cart(), back.stdout + back.stderr).toBeUndefined();
  }, 900_000);
});
