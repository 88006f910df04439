import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLANNING_RULES as R } from '../../src/findings/planning-rules.js';
import type { Plan } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const ESTATE = join(import.meta.dirname, '..', '..', 'fixtures', 'owners', 'estate');
const ACCT = '111122223333';
const REGION_DIR = `aws/${ACCT}/eu-west-1`;
const EKSCTL_STACK = 'eksctl-c1-addon-iamserviceaccount-shop-cart';
const EKSCTL_ROLE = `arn:aws:iam::${ACCT}:role/eksctl-c1-addon-iamserviceaccount-shop-cart-Role1-Q2T7XW9KJ0ZP`;
const roleArn = (name: string) => `arn:aws:iam::${ACCT}:role/${name}`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the estate fixture, for a test to change. */
function estate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-owners-'));
  dirs.push(dir);
  cpSync(ESTATE, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (doc: Record<string, any>) => void): void {
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  change(doc);
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

const planOf = (dir: string): Plan => plan(readEvidenceBundle(dir), { generatedAt: '2026-01-01T00:00:00Z' });
const association = (p: Plan, ns: string, sa: string) => {
  const found = p.associations.find((a) => a.namespace === ns && a.serviceAccount === sa);
  if (!found) throw new Error(`no association ${ns}/${sa}`);
  return found;
};
const role = (p: Plan, arn: string) => {
  const found = p.roles.find((r) => r.arn === arn);
  if (!found) throw new Error(`no role ${arn}`);
  return found;
};
const trustSteps = (p: Plan, arn: string) => p.steps.filter((s) => (s.action === 'update-trust' || s.action === 'finalize-trust') && s.roleArn === arn);

describe('owners in the plan', () => {
  const p = planOf(ESTATE);

  it('names every kind of owner on the roles', () => {
    expect(role(p, EKSCTL_ROLE).owner).toEqual({ kind: 'eksctl', stack: EKSCTL_STACK, cluster: 'c1' });
    expect(role(p, roleArn('billing-invoicer')).owner).toEqual({ kind: 'cloudformation', stack: 'billing-roles', logicalId: 'InvoicerRole' });
    expect(role(p, roleArn('lb-controller-irsa')).owner).toEqual({
      kind: 'terraform',
      workspace: 'platform',
      address: 'module.load_balancer_controller_irsa_role.aws_iam_role.this[0]',
      module: 'module.load_balancer_controller_irsa_role',
      irsaModule: 'iam-role-for-service-accounts-eks',
      // The raw state records the module call's provider configuration; terraform show -json (apps) does not.
      provider: 'aws',
    });
    expect(role(p, roleArn('external-dns-irsa')).owner).toEqual({
      kind: 'terraform',
      workspace: 'apps',
      address: 'module.external_dns_irsa.aws_iam_role.this[0]',
      module: 'module.external_dns_irsa',
      irsaModule: 'iam-role-for-service-accounts',
    });
    expect(role(p, roleArn('reports-reader')).owner).toEqual({ kind: 'terraform', workspace: 'platform', address: 'aws_iam_role.reports', module: null });
    expect(role(p, roleArn('hand-made')).owner).toEqual({ kind: 'unmanaged' });
  });

  it("names the add-on's owner on its identity, and unmanaged on standalone associations", () => {
    expect(association(p, 'kube-system', 'aws-node').owner).toEqual({
      kind: 'terraform',
      workspace: 'platform',
      address: 'module.eks.aws_eks_addon.this["vpc-cni"]',
      module: 'module.eks',
    });
    expect(association(p, 'misc', 'handmade').owner).toEqual({ kind: 'unmanaged' });
  });

  it('refuses the identities of a role whose stack failed, and of a role two states claim, and changes neither role', () => {
    for (const [ns, sa, arn, why] of [
      ['billing', 'invoicer', roleArn('billing-invoicer'), 'stack billing-roles (eu-west-1) is UPDATE_ROLLBACK_FAILED'],
      [
        'misc',
        'contested',
        roleArn('contested'),
        '2 owners claim it: Terraform aws_iam_role.legacy_contested in workspace apps, Terraform aws_iam_role.contested in workspace platform',
      ],
    ] as const) {
      const a = association(p, ns, sa);
      expect(a.status).toBe('blocked');
      expect(a.reasons).toEqual([R.ownerUnsafe.id]);
      const f = p.findings.find((x) => x.rule === R.ownerUnsafe.id && x.serviceAccount === sa);
      expect(f?.message).toContain(why);
      expect(role(p, arn).changed).toBe(false);
      expect(trustSteps(p, arn)).toEqual([]);
    }
  });

  it('migrates the neighbours of the refused roles', () => {
    for (const [ns, sa] of [
      ['shop', 'cart'],
      ['kube-system', 'aws-load-balancer-controller'],
      ['external-dns', 'external-dns'],
      ['reports', 'reporter'],
      ['misc', 'handmade'],
      ['kube-system', 'aws-node'],
    ] as const)
      expect(association(p, ns, sa).status).toBe('create');
  });

  it("tells what eksctl will do with an eksctl role, and that a managed role's or add-on's change belongs to its owner", () => {
    const eksctl = p.findings.filter((f) => f.rule === R.ownerEksctl.id);
    expect(eksctl.map((f) => f.roleArn)).toEqual([EKSCTL_ROLE]);
    expect(eksctl[0]?.message).toContain('eksctl delete iamserviceaccount');
    expect(eksctl[0]?.message).toContain('podIdentityAssociations');
    const managed = p.findings.filter((f) => f.rule === R.ownerManaged.id);
    expect(managed.map((f) => `${f.roleArn ?? ''} ${f.serviceAccount ?? ''}`).sort()).toEqual(
      [
        `${roleArn('external-dns-irsa')} `,
        `${roleArn('lb-controller-irsa')} `,
        `${roleArn('reports-reader')} `,
        `${roleArn('vpc-cni-irsa')} `,
        `${roleArn('vpc-cni-irsa')} aws-node`,
      ].sort(),
    );
    expect(managed.some((f) => f.roleArn === roleArn('hand-made'))).toBe(false);
  });
});

describe('owner evidence changes', () => {
  it('leaves owner out where no owner evidence was collected, but still reads role tags', () => {
    const dir = estate();
    rmSync(join(dir, 'terraform'), { recursive: true });
    for (const f of [
      'cloudformation-stacks.json',
      `cloudformation-resources-${EKSCTL_STACK}.json`,
      'cloudformation-resources-billing-roles.json',
      `cloudformation-template-${EKSCTL_STACK}.json`,
    ])
      rmSync(join(dir, REGION_DIR, f));
    const p = planOf(dir);
    expect(role(p, roleArn('hand-made')).owner).toBeUndefined();
    expect(role(p, roleArn('reports-reader')).owner).toBeUndefined();
    expect(association(p, 'misc', 'handmade').owner).toBeUndefined();
    expect(role(p, EKSCTL_ROLE).owner).toEqual({ kind: 'eksctl', stack: EKSCTL_STACK, cluster: 'c1' });
    expect(role(p, roleArn('billing-invoicer')).owner).toEqual({ kind: 'cloudformation', stack: 'billing-roles', logicalId: 'InvoicerRole' });
    // Without the stacks' templates the scripts cannot change these trusts through their stacks: blocked, not changed behind them.
    for (const [ns, sa, stack] of [
      ['billing', 'invoicer', 'billing-roles'],
      ['shop', 'cart', EKSCTL_STACK],
    ] as const) {
      expect(association(p, ns, sa)).toMatchObject({ status: 'blocked', reasons: ['owner-unsafe'] });
      expect(p.findings.find((f) => f.rule === 'owner-unsafe' && f.serviceAccount === sa)?.message).toContain(
        `the template of stack ${stack} (eu-west-1) is not in the evidence`,
      );
    }
  });

  it('takes an empty describe-stacks output as owners looked at: every role is unmanaged', () => {
    const dir = estate();
    rmSync(join(dir, 'terraform'), { recursive: true });
    for (const f of [
      `cloudformation-resources-${EKSCTL_STACK}.json`,
      'cloudformation-resources-billing-roles.json',
      `cloudformation-template-${EKSCTL_STACK}.json`,
    ])
      rmSync(join(dir, REGION_DIR, f));
    writeFileSync(join(dir, REGION_DIR, 'cloudformation-stacks.json'), JSON.stringify({ Stacks: [] }));
    const p = planOf(dir);
    expect(role(p, roleArn('hand-made')).owner).toEqual({ kind: 'unmanaged' });
    expect(role(p, roleArn('reports-reader')).owner).toEqual({ kind: 'unmanaged' });
    expect(association(p, 'misc', 'handmade').owner).toEqual({ kind: 'unmanaged' });
  });

  it("takes an eksctl role's cluster from its stack's tags before the role's own, which anyone allowed iam:TagRole can change", () => {
    const dir = estate();
    edit(dir, `aws/${ACCT}/iam-authorization-details.json`, (d) => {
      const r = d.RoleDetailList.find((x: { RoleName: string }) => x.RoleName.startsWith('eksctl-'));
      r.Tags = r.Tags.map((t: { Key: string; Value: string }) => (t.Key.endsWith('cluster-name') ? { ...t, Value: 'prod-elsewhere' } : t));
    });
    expect(role(planOf(dir), EKSCTL_ROLE).owner).toEqual({ kind: 'eksctl', stack: EKSCTL_STACK, cluster: 'c1' });
  });

  it.each(['UPDATE_IN_PROGRESS', 'CREATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'DELETE_FAILED'])(
    'refuses an eksctl role whose stack is %s',
    (status) => {
      const dir = estate();
      edit(dir, `${REGION_DIR}/cloudformation-stacks.json`, (d) => {
        d.Stacks[0].StackStatus = status;
      });
      const p = planOf(dir);
      expect(association(p, 'shop', 'cart')).toMatchObject({ status: 'blocked', reasons: [R.ownerUnsafe.id] });
      expect(trustSteps(p, EKSCTL_ROLE)).toEqual([]);
      expect(association(p, 'reports', 'reporter').status).toBe('create');
    },
  );

  it('refuses a role two stacks in two regions claim, and takes a role a deleted stack left behind as unmanaged', () => {
    const dir = estate();
    const copy = JSON.parse(readFileSync(join(dir, REGION_DIR, `cloudformation-resources-${EKSCTL_STACK}.json`), 'utf8')) as Record<string, any>;
    copy.StackResources[0].StackName = 'copy-of-cart';
    copy.StackResources[0].StackId = `arn:aws:cloudformation:us-east-1:${ACCT}:stack/copy-of-cart/11111111-2222-3333-4444-555555555555`;
    writeFileSync(join(dir, REGION_DIR, 'cloudformation-resources-copy.json'), JSON.stringify(copy));
    const p = planOf(dir);
    expect(association(p, 'shop', 'cart')).toMatchObject({ status: 'blocked', reasons: [R.ownerUnsafe.id] });
    expect(p.findings.find((f) => f.rule === R.ownerUnsafe.id && f.serviceAccount === 'cart')?.message).toContain('2 owners claim it');

    const deleted = estate();
    edit(deleted, `${REGION_DIR}/cloudformation-stacks.json`, (d) => {
      d.Stacks[1].StackStatus = 'DELETE_COMPLETE';
    });
    edit(deleted, `${REGION_DIR}/cloudformation-resources-billing-roles.json`, (d) => {
      d.StackResources[0].ResourceStatus = 'DELETE_SKIPPED';
    });
    const q = planOf(deleted);
    expect(role(q, roleArn('billing-invoicer')).owner).toEqual({ kind: 'unmanaged' });
    expect(association(q, 'billing', 'invoicer').status).toBe('create');
  });

  it('refuses a role two stacks of one name in two regions claim', () => {
    const dir = estate();
    const copy = JSON.parse(readFileSync(join(dir, REGION_DIR, `cloudformation-resources-${EKSCTL_STACK}.json`), 'utf8')) as Record<string, any>;
    copy.StackResources[0].StackId = `arn:aws:cloudformation:us-east-1:${ACCT}:stack/${EKSCTL_STACK}/11111111-2222-3333-4444-555555555555`;
    writeFileSync(join(dir, REGION_DIR, 'cloudformation-resources-copy.json'), JSON.stringify(copy));
    edit(dir, `aws/${ACCT}/iam-authorization-details.json`, (d) => {
      d.RoleDetailList.find((x: { RoleName: string }) => x.RoleName.startsWith('eksctl-')).Tags = [];
    });
    const p = planOf(dir);
    expect(association(p, 'shop', 'cart')).toMatchObject({ status: 'blocked', reasons: [R.ownerUnsafe.id] });
    expect(p.findings.find((f) => f.rule === R.ownerUnsafe.id && f.serviceAccount === 'cart')?.message).toContain('2 owners claim it');
  });

  it("does not take a stack's role of the same name in another account as this role's owner", () => {
    const dir = estate();
    edit(dir, `${REGION_DIR}/cloudformation-resources-billing-roles.json`, (d) => {
      d.StackResources[0].StackId = 'arn:aws:cloudformation:eu-west-1:444455556666:stack/billing-roles/0b9d1f40-7a21-11ef-9c1e-06f3a5b7c9d1';
    });
    edit(dir, `aws/${ACCT}/iam-authorization-details.json`, (d) => {
      const r = d.RoleDetailList.find((x: { RoleName: string }) => x.RoleName === 'billing-invoicer');
      r.Tags = [];
    });
    const p = planOf(dir);
    expect(role(p, roleArn('billing-invoicer')).owner).toEqual({ kind: 'unmanaged' });
    expect(association(p, 'billing', 'invoicer').status).toBe('create');
  });

  it('refuses a role a stack and a Terraform state both claim', () => {
    const dir = estate();
    edit(dir, 'terraform/platform.tfstate', (d) => {
      d.resources.push({
        mode: 'managed',
        type: 'aws_iam_role',
        name: 'imported_cart',
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [{ schema_version: 0, attributes: { arn: EKSCTL_ROLE, name: 'x' } }],
      });
    });
    const p = planOf(dir);
    expect(association(p, 'shop', 'cart')).toMatchObject({ status: 'blocked', reasons: [R.ownerUnsafe.id] });
    expect(p.findings.find((f) => f.rule === R.ownerUnsafe.id && f.serviceAccount === 'cart')?.message).toContain(
      `eksctl stack ${EKSCTL_STACK} of cluster c1, Terraform aws_iam_role.imported_cart in workspace platform`,
    );
  });
});

describe('a role of a nested stack', () => {
  it('is blocked (owner-unsafe): a change set of the nested stack itself is undone by the next update of its root stack', () => {
    const dir = estate();
    edit(dir, `${REGION_DIR}/cloudformation-stacks.json`, (d) => {
      const s = d.Stacks[0];
      s.ParentId = `arn:aws:cloudformation:eu-west-1:${ACCT}:stack/platform-root/0a1b2c3d-0000-11ef-8a3e-0a8b2c4d6e11`;
      s.RootId = s.ParentId;
    });
    const p = planOf(dir);
    const cart = p.associations.find((a) => a.namespace === 'shop' && a.serviceAccount === 'cart')!;
    expect(cart).toMatchObject({ status: 'blocked', reasons: [R.ownerUnsafe.id] });
    expect(p.findings.find((f) => f.rule === R.ownerUnsafe.id && f.serviceAccount === 'cart')?.message).toMatch(/nested|root stack|parent/i);
  });
});
