/**
 * `--format terraform` on fixtures/owners/estate: what a given Terraform state owns is written for
 * its owner at its address (owners/<workspace>.tf), and the generated root module neither declares
 * nor imports it. Every .tf file is checked with HashiCorp's formatter and parser.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { format } from '@cdktf/hcl-tools';
import { afterAll, describe, expect, it } from 'vitest';
import { emitTerraform } from '../../src/emit/plan/terraform/index.js';
import type { EmittedFile } from '../../src/emit/types.js';
import type { Plan, PlannedRole } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

type Json = Record<string, any>;

const ESTATE = path.join(import.meta.dirname, '..', '..', 'fixtures', 'owners', 'estate');
const ROLE = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
const planOf = (dir: string) => plan(readEvidenceBundle(dir), { generatedAt: '2026-01-01T00:00:00.000Z' });

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

function files(p: Plan): EmittedFile[] {
  const r = emitTerraform(p, {});
  if (r.kind !== 'files') throw new Error('expected files');
  return [...r.files];
}

function file(fs: readonly EmittedFile[], name: string): EmittedFile {
  const f = fs.find((x) => x.path === name);
  if (!f) throw new Error(`no ${name} among ${fs.map((x) => x.path).join(', ')}`);
  return f;
}

async function parsed(f: EmittedFile): Promise<Json> {
  return (await parse(f.path, f.content)) as Json;
}

/** The locals of a parsed file, all blocks merged. */
const locals = (doc: Json): Json => Object.assign({}, ...((doc.locals ?? []) as Json[]));
const role = (p: Plan, arn: string): PlannedRole => {
  const r = p.roles.find((x) => x.arn === arn);
  if (!r) throw new Error(`no role ${arn}`);
  return r;
};
const withOwner = (p: Plan, arn: string, owner: Json): Plan => ({
  ...p,
  roles: p.roles.map((r) => (r.arn === arn ? ({ ...r, owner } as PlannedRole) : r)),
});

/** The estate with an existing association that a Terraform state owns at `aws_eks_pod_identity_association.<name>`. */
function estateWithOwnedAssociation(name = 'handmade', edit: (state: Json) => void = () => undefined): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'irsa2pi-tf-owners-'));
  tmp.push(dir);
  cpSync(ESTATE, dir, { recursive: true });
  const arn = 'arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c1/a-handmade0000001';
  writeFileSync(
    path.join(dir, 'aws/111122223333/eu-west-1/pod-identity-association-a-handmade0000001.json'),
    JSON.stringify({
      association: {
        clusterName: 'c1',
        namespace: 'misc',
        serviceAccount: 'handmade',
        roleArn: ROLE('hand-made'),
        associationArn: arn,
        associationId: 'a-handmade0000001',
        tags: {},
        createdAt: '2025-01-20T11:02:41.919000+00:00',
        modifiedAt: '2025-01-20T11:02:41.919000+00:00',
        disableSessionTags: false,
      },
    }),
  );
  const statePath = path.join(dir, 'terraform/platform.tfstate');
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as Json;
  (state.resources as Json[]).push({
    mode: 'managed',
    type: 'aws_eks_pod_identity_association',
    name,
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [{ schema_version: 0, attributes: { association_arn: arn, association_id: 'a-handmade0000001', cluster_name: 'c1' } }],
  });
  edit(state);
  writeFileSync(statePath, JSON.stringify(state));
  return dir;
}

describe('Terraform output for what other Terraform owns (fixtures/owners/estate)', () => {
  const p = planOf(ESTATE);
  const out = files(p);

  it('writes one owners/<workspace>.tf per workspace, each terraform fmt-clean and parsed by HashiCorp’s parser, like the root module', async () => {
    expect(out.filter((f) => f.path.startsWith('owners/')).map((f) => f.path)).toEqual(['owners/apps.tf', 'owners/platform.tf']);
    for (const f of out.filter((x) => x.path.endsWith('.tf'))) {
      expect(await format(f.content), `${f.path} is terraform fmt-clean`).toBe(f.content);
      await expect(parsed(f)).resolves.toBeTypeOf('object');
    }
  });

  it('a plain aws_iam_role: the complete assume_role_policy of each phase at its address and workspace', async () => {
    const f = file(out, 'owners/platform.tf');
    const l = locals(await parsed(f));
    for (const name of ['reports-reader', 'vpc-cni-irsa']) {
      const r = role(p, ROLE(name));
      expect(JSON.parse(l[`irsa2pi_${name}_trust_transition`] as string)).toEqual(r.trustPolicy.transition);
      expect(JSON.parse(l[`irsa2pi_${name}_trust_final`] as string)).toEqual(r.trustPolicy.final);
    }
    expect(f.content).toContain('# aws_iam_role.reports: arn:aws:iam::111122223333:role/reports-reader');
    expect(f.content).toContain('workspace platform');
    // A role at the root module is not replaced: only its trust changes, in its own resource.
    expect((await parsed(f)).resource?.aws_iam_role?.['irsa2pi_reports-reader']).toBeUndefined();
  });

  for (const [workspace, name, module, irsaModule] of [
    ['platform', 'lb-controller-irsa', 'load_balancer_controller_irsa_role', 'iam-role-for-service-accounts-eks'],
    ['apps', 'external-dns-irsa', 'external_dns_irsa', 'iam-role-for-service-accounts'],
  ] as const) {
    it(`terraform-aws-modules' ${irsaModule}: a plain role with the same name and path takes the module's role from the state (moved), the module's other resources are forgotten, never destroyed`, async () => {
      const f = file(out, `owners/${workspace}.tf`);
      const doc = await parsed(f);
      const r = role(p, ROLE(name));
      const label = `irsa2pi_${name}`;
      const declared = doc.resource.aws_iam_role[label][0] as Json;
      expect(declared).toMatchObject({ name, path: r.path, assume_role_policy: `\${local.${label}_trust_transition}` });
      expect(declared.lifecycle[0].prevent_destroy).toBe(true);
      expect(JSON.parse(locals(doc)[`${label}_trust_transition`] as string)).toEqual(r.trustPolicy.transition);
      expect(JSON.parse(locals(doc)[`${label}_trust_final`] as string)).toEqual(r.trustPolicy.final);
      expect(doc.moved).toContainEqual({ from: `\${module.${module}.aws_iam_role.this[0]}`, to: `\${aws_iam_role.${label}}` });
      expect(doc.removed).toContainEqual({ from: `\${module.${module}}`, lifecycle: [{ destroy: false }] });
      expect(f.content).toContain(`terraform-aws-modules' ${irsaModule}`);
    });
  }

  it('the add-on in the state gets its pod_identity_association list at its address, and addons.tf leaves it alone', async () => {
    const f = file(out, 'owners/platform.tf');
    expect(f.content).toContain('# module.eks.aws_eks_addon.this["vpc-cni"]: add-on vpc-cni of cluster c1.');
    expect(locals(await parsed(f))['irsa2pi_c1_vpc-cni_pod_identity_associations']).toEqual([{ role_arn: ROLE('vpc-cni-irsa'), service_account: 'aws-node' }]);
    const addons = await parsed(file(out, 'addons.tf'));
    expect(addons.resource?.aws_eks_addon ?? {}).toEqual({});
    expect(addons.import ?? []).toEqual([]);
  });

  it('the root module declares and imports nothing a given state owns', async () => {
    const owned = new Set(p.roles.filter((r) => r.owner?.kind === 'terraform').map((r) => r.arn));
    for (const f of out.filter((x) => x.path.endsWith('.tf') && !x.path.includes('/'))) {
      const doc = await parsed(f);
      expect(doc.resource?.aws_iam_role ?? {}, f.path).toEqual({});
      expect(doc.moved ?? [], f.path).toEqual([]);
      for (const imp of (doc.import ?? []) as Json[]) expect(String(imp.id)).not.toMatch(/vpc-cni/);
      for (const arn of owned) expect(JSON.stringify(doc.resource?.aws_iam_role_policy ?? {})).not.toContain(arn);
    }
    expect(file(out, 'README.md').content).toContain('## Owned by other Terraform');
    expect(file(out, 'README.md').content).toContain('- `module.load_balancer_controller_irsa_role.aws_iam_role.this[0]`');
  });

  it('an association the state holds is neither created nor imported again; its owner file says so', async () => {
    const q = planOf(estateWithOwnedAssociation());
    expect(q.associations.find((a) => a.serviceAccount === 'handmade')).toMatchObject({ status: 'exists', owner: { kind: 'terraform' } });
    const fs = files(q);
    const assoc = await parsed(file(fs, 'associations.tf'));
    expect(Object.keys(assoc.resource?.aws_eks_pod_identity_association ?? {})).not.toContain('c1_misc_handmade');
    expect(assoc.import ?? []).toEqual([]);
    expect(file(fs, 'owners/platform.tf').content).toContain(
      `# aws_eks_pod_identity_association.handmade already associates c1/misc/handmade with ${ROLE('hand-made')}:`,
    );
    // Without the state, the same association is adopted with an import {} block as before.
    const unowned = files({ ...q, associations: q.associations.map((a) => ({ ...a, owner: { kind: 'unmanaged' as const } })) });
    expect((await parsed(file(unowned, 'associations.tf'))).import).toHaveLength(1);
  });

  it("a state that is this configuration's own (its addresses) keeps its association and add-on in the root module: leaving them out would destroy them", async () => {
    const q = planOf(
      estateWithOwnedAssociation('c1_misc_handmade', (state) => {
        const addon = (state.resources as Json[]).find((r) => r.type === 'aws_eks_addon');
        if (!addon) throw new Error('no aws_eks_addon in the state');
        delete addon.module;
        addon.name = 'c1_vpc-cni';
        delete addon.instances[0].index_key;
      }),
    );
    expect(q.associations.find((a) => a.serviceAccount === 'handmade')?.owner).toMatchObject({ address: 'aws_eks_pod_identity_association.c1_misc_handmade' });
    expect(q.associations.find((a) => a.serviceAccount === 'aws-node')?.owner).toMatchObject({ address: 'aws_eks_addon.c1_vpc-cni' });
    const fs = files(q);
    const assoc = await parsed(file(fs, 'associations.tf'));
    expect(Object.keys(assoc.resource.aws_eks_pod_identity_association)).toContain('c1_misc_handmade');
    expect(assoc.import).toEqual([expect.objectContaining({ id: 'c1,a-handmade0000001', to: '${aws_eks_pod_identity_association.c1_misc_handmade}' })]);
    const addons = await parsed(file(fs, 'addons.tf'));
    expect(Object.keys(addons.resource.aws_eks_addon)).toEqual(['c1_vpc-cni']);
    const owner = file(fs, 'owners/platform.tf').content;
    expect(owner).not.toContain('c1_misc_handmade');
    expect(owner).not.toContain('aws_eks_addon');
  });

  it('a module call with count or for_each gets no replacement (removed {} cannot name one instance): the file and the finding say so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'irsa2pi-tf-owners-'));
    tmp.push(dir);
    cpSync(ESTATE, dir, { recursive: true });
    const statePath = path.join(dir, 'terraform/platform.tfstate');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as Json;
    for (const r of state.resources as Json[])
      if (r.module === 'module.load_balancer_controller_irsa_role') r.module = 'module.load_balancer_controller_irsa_role["lb"]';
    writeFileSync(statePath, JSON.stringify(state));
    const q = planOf(dir);
    const arn = ROLE('lb-controller-irsa');
    expect(role(q, arn).owner).toMatchObject({ irsaModule: 'iam-role-for-service-accounts-eks' });
    const f = file(files(q), 'owners/platform.tf');
    const doc = await parsed(f);
    expect(doc.moved ?? []).toEqual([]);
    expect(doc.removed ?? []).toEqual([]);
    expect(doc.resource?.aws_iam_role ?? {}).toEqual({});
    expect(f.content).toContain('irsa2pi writes no replacement for it');
    expect(q.findings.find((x) => x.rule === 'owner-managed' && x.roleArn === arn)?.message).toContain(
      'a moved {} replacement cannot be generated for a module call with count or for_each',
    );
    expect(p.findings.find((x) => x.rule === 'owner-managed' && x.roleArn === arn)?.message).toContain('writes to owners/, which keep the role and its ARN');
  });

  it('a module call inside another module: the blocks are for the parent module’s source, with addresses relative to it', async () => {
    const arn = ROLE('lb-controller-irsa');
    const q = withOwner(p, arn, {
      kind: 'terraform',
      workspace: 'platform',
      address: 'module.platform.module.lb.aws_iam_role.this[0]',
      module: 'module.platform.module.lb',
      irsaModule: 'iam-role-for-service-accounts-eks',
    });
    const f = file(files(q), 'owners/platform.tf');
    const doc = await parsed(f);
    expect(doc.moved).toEqual([{ from: '${module.lb.aws_iam_role.this[0]}', to: '${aws_iam_role.irsa2pi_lb-controller-irsa}' }]);
    expect(doc.removed).toEqual([{ from: '${module.lb}', lifecycle: [{ destroy: false }] }]);
    expect(f.content).toContain('the source of module.platform');
  });
});

describe("review: the generated configuration's own state keeps everything it declared", () => {
  /** An address of the state is kept by the root module: declared there, or the `from` of a moved {} block. */
  const kept = (doc: Json, type: string, name: string): boolean =>
    Object.keys((doc.resource?.[type] ?? {}) as Json).includes(name) || ((doc.moved ?? []) as Json[]).some((m) => m.from === `\${${type}.${name}}`);

  it('the eks-pod-identity-agent add-on an earlier run installed (aws_eks_addon.<cluster>_eks-pod-identity-agent in its state) stays declared: leaving it out destroys the agent', async () => {
    const q = planOf(
      estateWithOwnedAssociation('c1_misc_handmade', (state) => {
        (state.resources as Json[]).push({
          mode: 'managed',
          type: 'aws_eks_addon',
          name: 'c1_eks-pod-identity-agent',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            {
              schema_version: 0,
              attributes: {
                addon_name: 'eks-pod-identity-agent',
                cluster_name: 'c1',
                arn: 'arn:aws:eks:eu-west-1:111122223333:addon/c1/eks-pod-identity-agent/3d612a1d-9a81-9279-1351-5d90fde237fe',
                id: 'c1:eks-pod-identity-agent',
              },
            },
          ],
        });
      }),
    );
    const fs = files(q);
    // The same state is recognised as the configuration's own for the association beside it.
    expect(kept(await parsed(file(fs, 'associations.tf')), 'aws_eks_pod_identity_association', 'c1_misc_handmade')).toBe(true);
    expect(kept(await parsed(file(fs, 'addons.tf')), 'aws_eks_addon', 'c1_eks-pod-identity-agent')).toBe(true);
  });

  it('an association an earlier run created keeps its address when a cluster of the same name in another region joins the plan (the names then take a hash)', async () => {
    const q = planOf(estateWithOwnedAssociation('c1_misc_handmade'));
    const handmade = q.associations.find((a) => a.serviceAccount === 'handmade');
    if (!handmade) throw new Error('no handmade association');
    expect(files(q).some((f) => f.path === 'associations.tf' && f.content.includes('"c1_misc_handmade"'))).toBe(true);
    const twin = {
      ...handmade,
      clusterArn: handmade.clusterArn.replace(':eu-west-1:', ':us-east-1:'),
      region: 'us-east-1',
      status: 'create' as const,
      existingAssociationId: null,
      owner: undefined,
    };
    const fs = files({ ...q, associations: [...q.associations, twin] });
    const doc = await parsed(file(fs, 'associations.tf'));
    expect(kept(doc, 'aws_eks_pod_identity_association', 'c1_misc_handmade')).toBe(true);
    expect(file(fs, 'owners/platform.tf').content).not.toContain('aws_eks_pod_identity_association.c1_misc_handmade already associates');
  });
});

describe("the configuration's own state: what it holds and this run no longer declares", () => {
  it('is forgotten, never destroyed (removed {}, destroy = false, Terraform >= 1.7); nothing of that kind without such a state', async () => {
    const q = planOf(
      estateWithOwnedAssociation('c1_misc_handmade', (state) => {
        (state.resources as Json[]).push({
          mode: 'managed',
          type: 'aws_eks_pod_identity_association',
          name: 'c1_misc_gone',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            { schema_version: 0, attributes: { association_arn: 'arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c1/a-gone', cluster_name: 'c1' } },
          ],
        });
      }),
    );
    const fs = files(q);
    const f = file(fs, 'removed.tf');
    expect(await format(f.content)).toBe(f.content);
    const removed = (await parsed(f)).removed as Json[];
    expect(removed).toContainEqual({ from: '${aws_eks_pod_identity_association.c1_misc_gone}', lifecycle: [{ destroy: false }] });
    // What it still declares is not removed.
    expect(removed.map((r) => r.from)).not.toContain('${aws_eks_pod_identity_association.c1_misc_handmade}');
    expect(file(fs, 'versions.tf').content).toContain('required_version = ">= 1.7.0"');
    // A state that holds nothing at an address the configuration declares is another owner's: no removed.tf.
    const other = files(planOf(estateWithOwnedAssociation('handmade')));
    expect(other.some((x) => x.path === 'removed.tf')).toBe(false);
    expect(file(other, 'versions.tf').content).toContain('required_version = ">= 1.5.0"');
  });
});

describe('review: owners/<workspace>.tf names', () => {
  const p = planOf(ESTATE);
  const owner = (workspace: string, address: string) => ({ kind: 'terraform', workspace, address, module: null });
  const ownerPaths = (q: Plan) =>
    files(q)
      .filter((f) => f.path.startsWith('owners/'))
      .map((f) => f.path);

  it('workspaces whose names differ only in case (terraform/apps.json, terraform/Apps.tfstate) get files that stay two on a case-insensitive file system (macOS, Windows)', () => {
    const q = withOwner(
      withOwner(p, ROLE('reports-reader'), owner('Apps', 'aws_iam_role.reports')),
      ROLE('vpc-cni-irsa'),
      owner('apps', 'aws_iam_role.vpc_cni'),
    );
    const paths = ownerPaths(q);
    expect(paths).toHaveLength(new Set(paths).size);
    expect(new Set(paths.map((x) => x.toLowerCase())).size).toBe(paths.length);
  });

  it('a workspace nested deep under terraform/ (each folder a legal name) still makes a file name a file system takes (at most 255 bytes)', () => {
    const workspace = `${'a'.repeat(200)}/${'b'.repeat(200)}/prod`;
    const paths = ownerPaths(withOwner(p, ROLE('reports-reader'), owner(workspace, 'aws_iam_role.reports')));
    expect(paths.length).toBeGreaterThan(0);
    for (const x of paths) for (const part of x.split('/')) expect(Buffer.byteLength(part), x).toBeLessThanOrEqual(255);
    expect(paths.every((x) => Buffer.byteLength(path.basename(x)) <= 103)).toBe(true);
    expect(ownerPaths(withOwner(p, ROLE('reports-reader'), owner(workspace, 'aws_iam_role.reports')))).toEqual(paths);
  });
});

describe("review: the IRSA module's replacement keeps the role's provider configuration", () => {
  it('a module call given an aliased provider (providers = { aws = aws.prod }, recorded in the raw state) gets a replacement on that provider, not the default one, which may be another account where the role is not found and a new one is created', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'irsa2pi-tf-owners-'));
    tmp.push(dir);
    cpSync(ESTATE, dir, { recursive: true });
    const statePath = path.join(dir, 'terraform/platform.tfstate');
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as Json;
    for (const r of state.resources as Json[])
      if (r.module === 'module.load_balancer_controller_irsa_role') r.provider = 'provider["registry.terraform.io/hashicorp/aws"].prod';
    writeFileSync(statePath, JSON.stringify(state));
    const q = planOf(dir);
    expect(q.roles.find((r) => r.arn === ROLE('lb-controller-irsa'))?.owner).toMatchObject({ irsaModule: 'iam-role-for-service-accounts-eks' });
    const doc = await parsed(file(files(q), 'owners/platform.tf'));
    const declared = doc.resource?.aws_iam_role?.['irsa2pi_lb-controller-irsa']?.[0] as Json | undefined;
    expect(declared, 'the replacement role').toBeDefined();
    expect(declared?.provider).toBe('${aws.prod}');
  });

  it('the default provider recorded in a raw state needs nothing; terraform show -json records no alias, so the file tells the operator to set it', async () => {
    const out = files(planOf(ESTATE));
    const platform = file(out, 'owners/platform.tf');
    expect((await parsed(platform)).resource.aws_iam_role['irsa2pi_lb-controller-irsa'][0].provider).toBeUndefined();
    expect(platform.content).not.toContain('does not say which provider configuration');
    const apps = file(out, 'owners/apps.tf');
    expect((await parsed(apps)).resource.aws_iam_role['irsa2pi_external-dns-irsa'][0].provider).toBeUndefined();
    expect(apps.content).toContain('The state does not say which provider configuration the module call used');
    expect(await format(apps.content)).toBe(apps.content);
  });
});

describe("review: an add-on's list in the owner file", () => {
  it('an association the add-on already has for a service account the plan does not migrate is kept in the list (or the list is guarded), since the add-on takes the list whole and would delete it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'irsa2pi-tf-owners-'));
    tmp.push(dir);
    cpSync(ESTATE, dir, { recursive: true });
    const region = path.join(dir, 'aws/111122223333/eu-west-1');
    const addonArn = 'arn:aws:eks:eu-west-1:111122223333:addon/c1/vpc-cni/4dd704c6-36b5-4b30-bdac-ad21484152b1';
    const assocArn = 'arn:aws:eks:eu-west-1:111122223333:podidentityassociation/c1/a-cnimetrics00001';
    const addonFile = path.join(region, 'addon-c1-vpc-cni.json');
    const addon = JSON.parse(readFileSync(addonFile, 'utf8')) as Json;
    addon.addon.podIdentityAssociations = [assocArn];
    writeFileSync(addonFile, JSON.stringify(addon));
    writeFileSync(
      path.join(region, 'pod-identity-association-a-cnimetrics00001.json'),
      JSON.stringify({
        association: {
          clusterName: 'c1',
          namespace: 'kube-system',
          serviceAccount: 'aws-node-metrics',
          roleArn: ROLE('hand-made'),
          associationArn: assocArn,
          associationId: 'a-cnimetrics00001',
          ownerArn: addonArn,
          tags: {},
          createdAt: '2025-01-20T11:02:41.919000+00:00',
          modifiedAt: '2025-01-20T11:02:41.919000+00:00',
          disableSessionTags: false,
        },
      }),
    );
    const q = planOf(dir);
    const f = file(files(q), 'owners/platform.tf');
    const doc = await parsed(f);
    const list = locals(doc)['irsa2pi_c1_vpc-cni_pod_identity_associations'] as Json[] | undefined;
    expect(list, f.content).toBeDefined();
    const listed = (list ?? []).some((x) => x.service_account === 'aws-node-metrics' && x.role_arn === ROLE('hand-made'));
    const guarded = /(pre|post)condition|check\s*"/.test(f.content);
    expect(listed || guarded, 'the existing association is listed, or applying the list is guarded').toBe(true);
    // The guard reads the add-on and stops the plan while it has a pair the list lacks.
    const data = doc.data.aws_eks_addon['irsa2pi_c1_vpc-cni_pod_identity_associations'][0] as Json;
    expect(data).toMatchObject({ cluster_name: 'c1', addon_name: 'vpc-cni' });
    const post = data.lifecycle[0].postcondition[0] as Json;
    expect(post.condition).toContain('setsubtract([for a in self.pod_identity_association');
    expect(post.condition).toContain('local.irsa2pi_c1_vpc-cni_pod_identity_associations');
    expect(await format(f.content)).toBe(f.content);
  });
});

describe("review: a chaining role an earlier run created (the configuration's own state holds it)", () => {
  it('stays declared in roles.tf once it exists: leaving aws_iam_role.<name> out of the root module makes its next apply destroy the role the associations chain through', async () => {
    const CROSS = path.join(import.meta.dirname, '..', '..', 'fixtures', 'cross-account');
    const first = planOf(CROSS);
    const chain = first.roles.find((r) => r.kind === 'new');
    if (!chain) throw new Error('no chaining role in fixtures/cross-account');
    const firstRoles = await parsed(file(files(first), 'roles.tf'));
    const [resName] = Object.keys(firstRoles.resource.aws_iam_role as Json);
    if (!resName) throw new Error('no aws_iam_role in roles.tf');

    // The earlier run applied: the role exists in IAM, and the root module's state holds it.
    const dir = mkdtempSync(path.join(tmpdir(), 'irsa2pi-tf-owners-'));
    tmp.push(dir);
    cpSync(CROSS, dir, { recursive: true });
    const iamPath = path.join(dir, 'aws/111122223333/iam-authorization-details.json');
    const iam = JSON.parse(readFileSync(iamPath, 'utf8')) as Json;
    (iam.RoleDetailList as Json[]).push({
      Path: chain.path,
      RoleName: chain.name,
      RoleId: 'AROACHAIN00000000001',
      Arn: chain.arn,
      CreateDate: '2026-01-02T00:00:00+00:00',
      AssumeRolePolicyDocument: chain.trustPolicy.transition,
      InstanceProfileList: [],
      RolePolicyList: [{ PolicyName: 'irsa2pi-chain', PolicyDocument: chain.permissionsPolicy }],
      AttachedManagedPolicies: [],
      Tags: [],
    });
    writeFileSync(iamPath, JSON.stringify(iam));
    mkdirSync(path.join(dir, 'terraform'), { recursive: true });
    writeFileSync(
      path.join(dir, 'terraform/irsa2pi.tfstate'),
      JSON.stringify({
        version: 4,
        terraform_version: '1.11.4',
        serial: 3,
        lineage: '00000000-0000-0000-0000-000000000001',
        outputs: {},
        resources: [
          {
            mode: 'managed',
            type: 'aws_iam_role',
            name: resName,
            provider: 'provider["registry.terraform.io/hashicorp/aws"].acct_111122223333_eu_west_1',
            instances: [{ schema_version: 0, attributes: { arn: chain.arn, name: chain.name, path: chain.path } }],
          },
        ],
      }),
    );
    const second = planOf(dir);
    const fs = files(second);
    const roles = await parsed(file(fs, 'roles.tf'));
    expect(Object.keys((roles.resource?.aws_iam_role ?? {}) as Json)).toContain(resName);
    expect(roles.resource.aws_iam_role[resName][0].lifecycle[0].prevent_destroy).toBe(true);
    // A fresh workspace adopts it; one whose state holds it plans no change (Terraform >= 1.5 skips that import).
    expect(roles.import).toContainEqual(expect.objectContaining({ id: chain.name, to: `\${aws_iam_role.${resName}}` }));
    expect(Object.keys((roles.resource?.aws_iam_role_policy ?? {}) as Json)).toContain(resName);
    // Its trust is declared here, so no trust files or owner file are written for it.
    expect(fs.some((f) => f.path.startsWith('owners/irsa2pi') || f.path.includes(chain.name))).toBe(false);
  });
});
