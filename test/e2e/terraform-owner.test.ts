/**
 * The replacement `--format terraform` writes for a terraform-aws-modules IRSA module, run for real:
 * the module itself (iam-role-for-service-accounts-eks v5.60.0, vendored unchanged under
 * test/fixtures/terraform) is applied against moto; irsa2pi reads that workspace's own
 * `terraform show -json`, recognises the module, and writes owners/platform.tf; the module block
 * is replaced by that file, and `terraform plan` must move the role (same role ID, same ARN),
 * change only its trust, forget the module's policy and attachments, and destroy nothing. A plain
 * aws_iam_role of the same workspace takes the file's trust local in place, and its aws_eks_addon
 * (through the EKS shim) the file's pod_identity_association list.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTerraform } from '../../src/emit/plan/terraform/index.js';
import type { Plan } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';
import { startEksShim, type EksShim } from '../helpers/eks-shim.js';
import { startMoto, type MotoServer } from '../helpers/moto.js';
import { stopAll } from '../helpers/stop.js';
import { terraformMissing, terraformRunner, writeCliConfig } from './terraform-world.js';

type Json = Record<string, any>;

const ROOT = path.join(import.meta.dirname, '..', '..');
const ESTATE = path.join(ROOT, 'fixtures', 'owners', 'estate');
const MODULE = path.join(ROOT, 'test', 'fixtures', 'terraform', 'iam-role-for-service-accounts-eks');
const ROLE = 'lb-controller-irsa';
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE}`;
const OIDC = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/7948EE6781F420439410EF2FE581C082';

const provider = (endpoint: string, eks: string) => `provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    eks = ${JSON.stringify(eks)}
    iam = ${JSON.stringify(endpoint)}
    sts = ${JSON.stringify(endpoint)}
  }
}
`;

/** A plain aws_iam_role of the same workspace, at the root module, with its IRSA trust. */
const plainRole = (trust: string) => `resource "aws_iam_role" "reports" {
  name               = "reports-reader"
  assume_role_policy = ${trust}
}
`;
const REPORTS_IRSA_TRUST = `jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = ${JSON.stringify(OIDC)} }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/7948EE6781F420439410EF2FE581C082:aud" = "sts.amazonaws.com"
          "oidc.eks.eu-west-1.amazonaws.com/id/7948EE6781F420439410EF2FE581C082:sub" = "system:serviceaccount:reports:reporter"
        }
      }
    }]
  })`;
const REPORTS_ARN = 'arn:aws:iam::111122223333:role/reports-reader';

/** The workspace's add-on, adopted as it is; `associations` is what goes inside the resource. */
const addon = (associations: string) => `resource "aws_eks_addon" "vpc_cni" {
  cluster_name = "c1"
  addon_name   = "vpc-cni"
${associations}
  lifecycle {
    ignore_changes = [addon_version, configuration_values, service_account_role_arn, resolve_conflicts_on_create, resolve_conflicts_on_update, preserve, tags]
  }
}

import {
  to = aws_eks_addon.vpc_cni
  id = "c1:vpc-cni"
}
`;
const ADDON_ASSOCIATIONS = `
  dynamic "pod_identity_association" {
    for_each = local.irsa2pi_c1_vpc-cni_pod_identity_associations
    content {
      role_arn        = pod_identity_association.value.role_arn
      service_account = pod_identity_association.value.service_account
    }
  }
`;
const VPC_CNI_ROLE = 'arn:aws:iam::111122223333:role/vpc-cni-irsa';

const EXTRA_POLICY = `resource "aws_iam_policy" "extra" {
  name   = "extra"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:ListAllMyBuckets", Resource = "*" }] })
}
`;

const MODULE_CALL = `module "load_balancer_controller_irsa_role" {
  source = "./modules/iam-role-for-service-accounts-eks"

  role_name                              = ${JSON.stringify(ROLE)}
  attach_load_balancer_controller_policy = true
  role_policy_arns                       = { extra = aws_iam_policy.extra.arn }

  oidc_providers = {
    c1 = {
      provider_arn               = ${JSON.stringify(OIDC)}
      namespace_service_accounts = ["kube-system:aws-load-balancer-controller"]
    }
  }
}
`;

describe("terraform-aws-modules' iam-role-for-service-accounts-eks replaced as owners/<workspace>.tf says — against moto", () => {
  let moto: MotoServer;
  let shim: EksShim;
  let root: string;
  let tf: ReturnType<typeof terraformRunner>;
  let owner: string;
  let iam: IAMClient;
  let before: { roleId: string; policies: string[] };
  let p: Plan;
  let changes: Json[] = [];

  const live = async () => {
    const role = (await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role!;
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: ROLE }));
    return {
      roleId: role.RoleId!,
      arn: role.Arn!,
      trust: JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)) as unknown,
      policies: (attached.AttachedPolicies ?? []).map((x) => x.PolicyArn!).sort(),
    };
  };

  beforeAll(async () => {
    const missing = await terraformMissing();
    if (missing) throw new Error(`${missing}: this test needs the machine image's terraform and provider plugin directory`);
    moto = await startMoto({ accountId: '111122223333' });
    shim = await startEksShim({ motoEndpoint: moto.endpoint, accountId: '111122223333', checkClusterExists: false });
    shim.seedAddon({ clusterName: 'c1', addonName: 'vpc-cni', region: 'eu-west-1', addonVersion: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: VPC_CNI_ROLE });
    iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    root = mkdtempSync(path.join(tmpdir(), 'irsa2pi-tf-owner-'));
    owner = path.join(root, 'owner');
    cpSync(MODULE, path.join(owner, 'modules', 'iam-role-for-service-accounts-eks'), { recursive: true });
    await writeFile(path.join(owner, 'providers.tf'), provider(moto.endpoint, shim.endpoint));
    await writeFile(path.join(owner, 'main.tf'), `${EXTRA_POLICY}\n${MODULE_CALL}\n${plainRole(REPORTS_IRSA_TRUST)}\n${addon('')}`);
    tf = terraformRunner(owner, root, await writeCliConfig(root));
    await tf.ok(['init', '-backend=false']);
    await tf.ok(['apply', '-auto-approve']);
    before = await live();

    // The evidence bundle: the estate, with this workspace's own state in place of platform.tfstate.
    const bundle = path.join(root, 'bundle');
    cpSync(ESTATE, bundle, { recursive: true });
    rmSync(path.join(bundle, 'terraform', 'platform.tfstate'));
    await writeFile(path.join(bundle, 'terraform', 'platform.json'), await tf.ok(['show', '-json']));
    p = plan(readEvidenceBundle(bundle), { generatedAt: '2026-01-01T00:00:00.000Z' });
    const rendered = emitTerraform(p, {});
    if (rendered.kind !== 'files') throw new Error('expected files');
    const ownerFile = rendered.files.find((f) => f.path === 'owners/platform.tf');
    if (!ownerFile) throw new Error('no owners/platform.tf');
    // As the file says: the module block goes, the file's blocks come in its place; the plain role's
    // assume_role_policy becomes the transition local.
    await writeFile(
      path.join(owner, 'main.tf'),
      `${EXTRA_POLICY}\n${plainRole('local.irsa2pi_reports-reader_trust_transition')}\n${addon(ADDON_ASSOCIATIONS)}`,
    );
    await writeFile(path.join(owner, 'irsa2pi.tf'), ownerFile.content);
    await tf.ok(['plan', '-out=replace.tfplan']);
    changes = (JSON.parse(await tf.ok(['show', '-json', 'replace.tfplan'])) as Json).resource_changes as Json[];
  }, 300_000);
  afterAll(async () => {
    await stopAll(shim);
    await stopAll(moto);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("recognises the module, the plain role and the add-on from the workspace's own terraform show -json", () => {
    expect(p.associations.find((a) => a.serviceAccount === 'aws-node')?.owner).toEqual({
      kind: 'terraform',
      workspace: 'platform',
      address: 'aws_eks_addon.vpc_cni',
      module: null,
    });
    expect(p.roles.find((r) => r.arn === REPORTS_ARN)?.owner).toEqual({
      kind: 'terraform',
      workspace: 'platform',
      address: 'aws_iam_role.reports',
      module: null,
    });
    expect(p.roles.find((r) => r.arn === ROLE_ARN)?.owner).toEqual({
      kind: 'terraform',
      workspace: 'platform',
      address: 'module.load_balancer_controller_irsa_role.aws_iam_role.this[0]',
      module: 'module.load_balancer_controller_irsa_role',
      irsaModule: 'iam-role-for-service-accounts-eks',
    });
  });

  it('plans no create, no destroy, no replace: the role moves and only its trust changes; the rest of the module is forgotten', () => {
    const actions = changes.map((c) => [c.address as string, (c.change.actions as string[]).join('+')]);
    expect(actions.filter(([, a]) => /create|delete/.test(a ?? ''))).toEqual([]);
    const role = changes.find((c) => c.address === 'aws_iam_role.irsa2pi_lb-controller-irsa');
    expect(role?.previous_address).toBe('module.load_balancer_controller_irsa_role.aws_iam_role.this[0]');
    expect(role?.change.actions).toEqual(['update']);
    const changed = (c: Json | undefined) =>
      Object.keys(c?.change.after as Json).filter((k) => JSON.stringify(c?.change.after[k]) !== JSON.stringify(c?.change.before[k]));
    expect(changed(role)).toEqual(['assume_role_policy']);
    const addonChange = changes.find((c) => c.address === 'aws_eks_addon.vpc_cni');
    expect(addonChange?.change.actions).toEqual(['update']);
    expect(changed(addonChange)).toEqual(['pod_identity_association']);
    expect(addonChange?.change.after.pod_identity_association).toEqual([{ role_arn: VPC_CNI_ROLE, service_account: 'aws-node' }]);
    const plain = changes.find((c) => c.address === 'aws_iam_role.reports');
    expect(plain?.change.actions).toEqual(['update']);
    expect(changed(plain)).toEqual(['assume_role_policy']);
    const forgotten = changes.filter((c) => (c.change.actions as string[]).includes('forget')).map((c) => c.address as string);
    expect(forgotten.sort()).toEqual([
      'module.load_balancer_controller_irsa_role.aws_iam_policy.load_balancer_controller[0]',
      'module.load_balancer_controller_irsa_role.aws_iam_role_policy_attachment.load_balancer_controller[0]',
      'module.load_balancer_controller_irsa_role.aws_iam_role_policy_attachment.this["extra"]',
    ]);
  });

  it('applies: the same role (ID and ARN) with the transition trust and every policy still attached; a second plan changes nothing', async () => {
    await tf.ok(['apply', 'replace.tfplan']);
    const after = await live();
    expect(after.roleId).toBe(before.roleId);
    expect(after.arn).toBe(ROLE_ARN);
    expect(after.policies).toEqual(before.policies);
    expect(after.policies).toHaveLength(2);
    expect(after.trust).toEqual(p.roles.find((r) => r.arn === ROLE_ARN)?.trustPolicy.transition);
    const shimAddon = [...shim.state.addons.values()].find((a) => a.addon.addonName === 'vpc-cni');
    expect(shimAddon?.addon.podIdentityAssociations).toHaveLength(1);
    const reports = (await iam.send(new GetRoleCommand({ RoleName: 'reports-reader' }))).Role!;
    expect(JSON.parse(decodeURIComponent(reports.AssumeRolePolicyDocument!))).toEqual(p.roles.find((r) => r.arn === REPORTS_ARN)?.trustPolicy.transition);
    expect((await tf.run(['plan', '-detailed-exitcode'])).code).toBe(0);
  }, 300_000);

  it('the final phase is one local away: switching to it changes the trust in place, nothing else', async () => {
    const file = path.join(owner, 'irsa2pi.tf');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text.replace(/assume_role_policy = local\.(irsa2pi_lb-controller-irsa)_trust_transition/, 'assume_role_policy = local.$1_trust_final'),
    );
    await tf.ok(['apply', '-auto-approve']);
    const after = await live();
    expect(after.roleId).toBe(before.roleId);
    expect(after.trust).toEqual(p.roles.find((r) => r.arn === ROLE_ARN)?.trustPolicy.final);
  }, 300_000);

  it("the add-on list's guard: an association the add-on has and the list lacks stops the plan, so applying the list cannot delete it", async () => {
    const shimAddon = [...shim.state.addons.values()].find((a) => a.addon.addonName === 'vpc-cni');
    if (!shimAddon) throw new Error('no vpc-cni add-on in the shim');
    const extra = shim.seedAssociation({
      clusterName: 'c1',
      region: 'eu-west-1',
      namespace: 'kube-system',
      serviceAccount: 'aws-node-metrics',
      roleArn: VPC_CNI_ROLE,
      ownerArn: shimAddon.addon.addonArn,
    });
    shimAddon.addon.podIdentityAssociations.push(extra.associationArn);
    const run = await tf.run(['plan', '-input=false', '-no-color']);
    expect(run.code).not.toBe(0);
    expect(run.stderr.replace(/\s+/g, ' ')).toContain('has Pod Identity associations local.irsa2pi_c1_vpc-cni_pod_identity_associations does not list');
    expect(run.stderr).toContain('aws-node-metrics');
    expect(shim.state.associations.has(extra.associationId)).toBe(true);
  }, 300_000);
});
