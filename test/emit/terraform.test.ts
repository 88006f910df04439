import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { format } from '@cdktf/hcl-tools';
import { InputError } from '../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { addedStatements, emitTerraform, PROVIDER_VERSIONS } from '../../src/emit/plan/terraform/index.js';
import type { EmittedFile } from '../../src/emit/types.js';
import type { Plan, PlannedAssociation } from '../../src/plan/model.js';
import { expectHelpersOnly } from './template-check.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const FIXTURES = path.join(import.meta.dirname, '..', '..', 'fixtures');
const planOf = (name: string, generatedAt = '2026-01-01T00:00:00.000Z') => plan(readEvidenceBundle(path.join(FIXTURES, name)), { generatedAt });
const withMigrations = readdirSync(FIXTURES)
  .filter((n) => existsSync(path.join(FIXTURES, n, 'expect.json')) || n === 'demo')
  .filter((n) => planOf(n).associations.some((a) => a.status === 'create' || a.status === 'exists'));

type Json = Record<string, any>;

function files(p: Plan): EmittedFile[] {
  const r = emitTerraform(p, {});
  if (r.kind !== 'files') throw new Error('expected files');
  return [...r.files];
}

/** Parses every .tf file; merges them the way Terraform reads a directory, failing on duplicates. */
async function parseDir(fs: EmittedFile[]): Promise<{ resource: Json; data: Json; import: Json[]; provider: Json[]; variable: Json; output: Json }> {
  const out = { resource: {} as Json, data: {} as Json, import: [] as Json[], provider: [] as Json[], variable: {} as Json, output: {} as Json };
  for (const f of fs.filter((x) => x.path.endsWith('.tf'))) {
    const doc = (await parse(f.path, f.content)) as Json;
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries((doc[kind] ?? {}) as Json)) {
        for (const [name, blocks] of Object.entries(byName as Json)) {
          expect(blocks, `${kind} ${type}.${name} declared once`).toHaveLength(1);
          expect(out[kind][type]?.[name], `${kind} ${type}.${name} unique across files`).toBeUndefined();
          expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_-]*$/);
          (out[kind][type] ??= {})[name] = (blocks as Json[])[0];
        }
      }
    }
    out.import.push(...((doc.import ?? []) as Json[]));
    for (const blocks of Object.values((doc.provider ?? {}) as Json)) out.provider.push(...(blocks as Json[]));
    Object.assign(out.variable, doc.variable ?? {});
    Object.assign(out.output, doc.output ?? {});
  }
  return out;
}

/** A string as written (HCL literal escapes `$${` and `%%{` undone). */
const literal = (s: string) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
/** The interpolations of a parsed string (escaped `$${` excluded). */
const interpolations = (s: string) => [...s.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]!);

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** Every reference resolves: resources, data sources, provider aliases, variables. */
function expectResolvable(dir: Awaited<ReturnType<typeof parseDir>>): void {
  const aliases = new Set(dir.provider.map((p) => p.alias as string));
  for (const expr of strings(dir).flatMap(interpolations)) {
    let rest = expr;
    for (const m of expr.matchAll(/\bdata\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)) {
      expect(dir.data[m[1]!]?.[m[2]!], `data.${m[1]}.${m[2]}`).toBeDefined();
      rest = rest.replace(m[0], '');
    }
    for (const m of rest.matchAll(/\b(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)/g)) expect(dir.resource[m[1]!]?.[m[2]!], `${m[1]}.${m[2]}`).toBeDefined();
    for (const m of rest.matchAll(/\baws\.([A-Za-z0-9_-]+)/g)) expect(aliases, `provider aws.${m[1]}`).toContain(m[1]);
    for (const m of rest.matchAll(/\bvar\.([A-Za-z0-9_]+)/g)) expect(dir.variable[m[1]!], `var.${m[1]}`).toBeDefined();
  }
}

/** An IAM statement normalised: single values as lists. */
function normal(s: Json): Json {
  const lst = (v: unknown) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  const out: Json = { Effect: s.Effect ?? 'Allow' };
  if (s.Sid) out.Sid = s.Sid;
  for (const k of ['Action', 'NotAction', 'Resource']) if (s[k] !== undefined) out[k] = lst(s[k]);
  for (const k of ['Principal', 'NotPrincipal']) {
    if (s[k] === undefined) continue;
    out[k] = s[k] === '*' ? { '*': ['*'] } : Object.fromEntries(Object.entries(s[k] as Json).map(([t, v]) => [t, lst(v)]));
  }
  if (s.Condition)
    out.Condition = Object.fromEntries(
      Object.entries(s.Condition as Json).map(([op, kv]) => [op, Object.fromEntries(Object.entries(kv as Json).map(([k, v]) => [k, lst(v)]))]),
    );
  return out;
}

/** A parsed `aws_iam_policy_document` statement block back as an IAM statement. */
function fromHcl(b: Json): Json {
  const s: Json = { Effect: literal(b.effect) };
  if (b.sid) s.Sid = literal(b.sid);
  if (b.actions) s.Action = b.actions.map(literal);
  if (b.not_actions) s.NotAction = b.not_actions.map(literal);
  if (b.resources) s.Resource = b.resources.map(literal);
  for (const [block, key] of [
    ['principals', 'Principal'],
    ['not_principals', 'NotPrincipal'],
  ] as const) {
    if (b[block]) s[key] = Object.fromEntries((b[block] as Json[]).map((p) => [literal(p.type), p.identifiers.map(literal)]));
  }
  for (const c of (b.condition ?? []) as Json[]) ((s.Condition ??= {})[literal(c.test)] ??= {})[literal(c.variable)] = c.values.map(literal);
  return s;
}

describe.each(withMigrations)('terraform for %s', (name) => {
  const p = planOf(name);
  const fs = files(p);

  it('parses with HashiCorp HCL; identifiers are unique and every reference resolves', async () => {
    const dir = await parseDir(fs);
    expectResolvable(dir);
    for (const i of dir.import) {
      const [type, resName] = interpolations(i.to)[0]!.split('.');
      expect(dir.resource[type!]?.[resName!], `import target ${i.to}`).toBeDefined();
    }
  });

  it('declares one association per create identity and imports every existing one', async () => {
    const dir = await parseDir(fs);
    const assocs = Object.values((dir.resource.aws_eks_pod_identity_association ?? {}) as Json);
    const creates = p.associations.filter((a) => a.status === 'create' && a.via === 'association');
    const exists = p.associations.filter((a) => a.status === 'exists' && a.via === 'association' && a.existingAssociationId);
    expect(assocs).toHaveLength(creates.length + exists.length);
    const find = (a: PlannedAssociation) =>
      assocs.find((r) => r.cluster_name === a.cluster && r.namespace === a.namespace && r.service_account === a.serviceAccount);
    for (const a of [...creates, ...exists]) {
      const r = find(a);
      expect(r, `${a.cluster}/${a.namespace}/${a.serviceAccount}`).toBeDefined();
      if (a.targetRoleArn) expect(r!.target_role_arn).toBe(a.targetRoleArn);
      else expect(r!.target_role_arn).toBeUndefined();
      const newRole = p.roles.find((x) => x.arn === a.roleArn && x.kind === 'new');
      if (newRole) expect(r!.role_arn).toMatch(/^\$\{aws_iam_role\.[A-Za-z0-9_-]+\.arn\}$/);
      else expect(r!.role_arn).toBe(a.roleArn);
    }
    const ids = dir.import.map((i) => i.id);
    for (const a of exists) expect(ids).toContain(`${a.cluster},${a.existingAssociationId}`);
    for (const a of p.associations.filter((x) => x.via === 'addon' && x.status === 'create')) {
      const addon = (dir.resource.aws_eks_addon ?? {}) as Json;
      const block = Object.values(addon).find((r: Json) => r.cluster_name === a.cluster && r.addon_name === a.addon) as Json;
      expect(block.pod_identity_association).toContainEqual({ role_arn: a.roleArn, service_account: a.serviceAccount });
      expect(ids).toContain(`${a.cluster}:${a.addon}`);
    }
    for (const s of p.steps.filter((x) => x.action === 'install-agent')) {
      expect(Object.values((dir.resource.aws_eks_addon ?? {}) as Json)).toContainEqual(
        expect.objectContaining({ cluster_name: s.cluster, addon_name: 'eks-pod-identity-agent' }),
      );
    }
  });

  it('never declares an existing role; creates the chaining roles with their trust and permissions', async () => {
    const dir = await parseDir(fs);
    const declared = Object.values((dir.resource.aws_iam_role ?? {}) as Json);
    const newRoles = p.roles.filter((r) => r.kind === 'new');
    expect(declared.map((r) => `${r.path}${r.name}`).sort()).toEqual(newRoles.map((r) => `${r.path}${r.name}`).sort());
    for (const r of newRoles) {
      const [resName, res] = Object.entries((dir.resource.aws_iam_role ?? {}) as Json).find(([, d]) => d.name === r.name)!;
      expect(JSON.parse(literal(res.assume_role_policy))).toEqual(r.trustPolicy.transition);
      const pol = Object.values((dir.resource.aws_iam_role_policy ?? {}) as Json).find((x: Json) => x.role === `\${aws_iam_role.${resName}.id}`) as Json;
      expect(JSON.parse(literal(pol.policy))).toEqual(r.permissionsPolicy);
    }
  });

  it('gives each changed role its added statements as a policy document, plus transition and final files', async () => {
    const dir = await parseDir(fs);
    const docs = (dir.data.aws_iam_policy_document ?? {}) as Json;
    for (const r of p.roles.filter((x) => x.kind === 'existing' && JSON.stringify(x.trustPolicy.current) !== JSON.stringify(x.trustPolicy.transition))) {
      const added = addedStatements(r);
      const doc = Object.values(docs).find(
        (d: Json) => JSON.stringify(d.statement.map(fromHcl)) === JSON.stringify(added.map((s) => normal(s as unknown as Json))),
      );
      expect(doc, `statements of ${r.arn}`).toBeDefined();
      const transition = fs.find((f) => f.path === `trust/${r.accountId}-${r.name}.transition.json`);
      const final = fs.find((f) => f.path === `trust/${r.accountId}-${r.name}.final.json`);
      expect(JSON.parse(transition!.content)).toEqual(r.trustPolicy.transition);
      expect(JSON.parse(final!.content)).toEqual(r.trustPolicy.final);
    }
    expect(fs.find((f) => f.path === 'README.md')!.content).toContain('How to apply');
  });

  it('protects what it adopts: imports change nothing Terraform does not own, and no plan may delete them', async () => {
    const dir = await parseDir(fs);
    const imported = new Set(dir.import.map((i) => interpolations(i.to)[0]!));
    for (const type of ['aws_eks_pod_identity_association', 'aws_eks_addon']) {
      for (const [name, r] of Object.entries((dir.resource[type] ?? {}) as Json)) {
        const lifecycle = (r.lifecycle ?? [])[0] as Json | undefined;
        if (!imported.has(`${type}.${name}`)) {
          expect(lifecycle?.prevent_destroy, `${type}.${name} is created, so rollback may destroy it`).toBeUndefined();
          continue;
        }
        expect(lifecycle?.prevent_destroy, `${type}.${name}`).toBe(true);
        const ignored = ([] as string[])
          .concat(lifecycle!.ignore_changes)
          .flatMap((x) => interpolations(x).join().split(','))
          .map((x) => x.trim());
        const notOwned = type === 'aws_eks_addon' ? ['addon_version', 'configuration_values', 'preserve', 'tags', 'service_account_role_arn'] : ['tags'];
        expect(ignored, `${type}.${name}`).toEqual(expect.arrayContaining(notOwned));
        expect(ignored, `${type}.${name}: what the migration sets stays managed`).not.toContain(
          type === 'aws_eks_addon' ? 'pod_identity_association' : 'role_arn',
        );
        if (type === 'aws_eks_addon') {
          const planned = p.associations.filter(
            (a) => a.via === 'addon' && a.cluster === r.cluster_name && a.addon === r.addon_name && (a.status === 'create' || a.status === 'exists'),
          );
          const condition = (lifecycle!.precondition as Json[])[0]!.condition as string;
          expect(condition, `${type}.${name}: the plan stops while the add-on has an association not listed`).toContain(
            `data.aws_eks_addon.${name}.pod_identity_association`,
          );
          for (const a of planned) expect(condition).toContain(JSON.stringify(`${a.serviceAccount} ${a.roleArn}`));
          expect(dir.data.aws_eks_addon?.[name]).toMatchObject({ cluster_name: r.cluster_name, addon_name: r.addon_name });
        }
      }
    }
  });

  it('orders the README: init before any apply; rollback deletes only created associations, after the annotations and before the restart', () => {
    const readme = fs.find((f) => f.path === 'README.md')!.content;
    const apply = readme.slice(readme.indexOf('## How to apply'), readme.indexOf('## Adopted resources'));
    const rollback = readme.slice(readme.indexOf('## Rolling back'), readme.indexOf('## Roles whose trust changes'));
    expect(apply.indexOf('terraform init')).toBeGreaterThan(-1);
    for (const m of apply.matchAll(/terraform (apply|plan)/g)) expect(m.index, m[0]).toBeGreaterThan(apply.indexOf('terraform init'));

    const dir = fs
      .filter((f) => f.path.endsWith('.tf'))
      .map((f) => f.content)
      .join('\n');
    const adopted = [...dir.matchAll(/^ {2}to += (\S+)$/gm)].map((m) => m[1]!);
    const created = [...dir.matchAll(/^resource "aws_eks_pod_identity_association" "([^"]+)"/gm)]
      .map((m) => `aws_eks_pod_identity_association.${m[1]}`)
      .filter((a) => !adopted.includes(a));
    const destroyLine = rollback.split('\n').find((l) => /terraform destroy -target=/.test(l)) ?? '';
    const targets = [...destroyLine.matchAll(/-target=(\S+?)`?(?=\s|`|$)/g)].map((m) => m[1]!.replace(/[`.]+$/, ''));
    expect(targets.sort()).toEqual(created.sort());
    const at = (re: RegExp) => rollback.search(re);
    expect(at(/annotations back/)).toBeGreaterThan(at(/goes back to its `\.transition\.json`/));
    if (created.length) expect(at(/terraform destroy -target=/)).toBeGreaterThan(at(/annotations back/));
    expect(at(/Restart the workloads/)).toBeGreaterThan(at(/Delete the associations/));
    expect(at(/Restore each role's trust/)).toBeGreaterThan(at(/Restart the workloads/));
    if (adopted.length) {
      expect(readme).toContain(`terraform state rm ${adopted.join(' ')}`);
      expect(at(/terraform state rm/)).toBeGreaterThan(at(/Restore each role's trust/));
    }
  });

  it('pins Terraform >= 1.5 and the provider version the output needs', async () => {
    const versions = (await parse('versions.tf', fs.find((f) => f.path === 'versions.tf')!.content)) as Json;
    const tf = versions.terraform[0];
    expect(tf.required_version).toBe('>= 1.5.0');
    const want = p.associations.some((a) => a.targetRoleArn && a.status === 'create')
      ? PROVIDER_VERSIONS.targetRoleArn
      : p.associations.some((a) => a.via === 'addon' && (a.status === 'create' || a.status === 'exists'))
        ? PROVIDER_VERSIONS.addonPodIdentityAssociation
        : PROVIDER_VERSIONS.podIdentityAssociation;
    expect(tf.required_providers[0].aws).toEqual({ source: 'hashicorp/aws', version: `>= ${want}` });
  });

  it('writes every .tf file as terraform fmt would (HashiCorp formatter)', async () => {
    for (const f of fs.filter((x) => x.path.endsWith('.tf'))) expect(f.content, f.path).toBe(await format(f.content));
  });

  it('is byte-identical for the same plan, whenever it is generated', () => {
    expect(files(planOf(name, '2030-05-05T00:00:00.000Z'))).toEqual(fs);
  });
});

describe('terraform for two clusters of one name in two regions', () => {
  const p = JSON.parse(JSON.stringify(planOf('demo'))) as Json;
  const twin = (o: Json) => {
    if (o.cluster === 'prod-us') o.cluster = 'prod-eu';
    if (typeof o.clusterArn === 'string') o.clusterArn = o.clusterArn.replace(':cluster/prod-us', ':cluster/prod-eu');
  };
  p.associations.forEach(twin);
  p.steps.forEach(twin);
  const fs = files(p as Plan);

  it("gives each its own resources and its region's provider; imports, README targets and fmt stay right", async () => {
    const dir = await parseDir(fs);
    const providers = new Map(dir.provider.map((x) => [x.alias as string, x.region as string]));
    const declared = Object.values((dir.resource.aws_eks_pod_identity_association ?? {}) as Json).map(
      (r) => `${providers.get(/aws\.([\w-]+)/.exec(r.provider)![1]!)}/${r.namespace}/${r.service_account}`,
    );
    const planned = (p.associations as PlannedAssociation[])
      .filter((a) => a.via === 'association' && (a.status === 'create' || (a.status === 'exists' && a.existingAssociationId)))
      .map((a) => `${a.region}/${a.namespace}/${a.serviceAccount}`);
    expect(declared.sort()).toEqual(planned.sort());
    expect(new Set(declared).size).toBe(declared.length);
    const readme = fs.find((f) => f.path === 'README.md')!.content;
    for (const name of Object.keys(dir.resource.aws_eks_pod_identity_association)) expect(readme).toContain(`aws_eks_pod_identity_association.${name}`);
    for (const f of fs.filter((x) => x.path.endsWith('.tf'))) expect(f.content, f.path).toBe(await format(f.content));
  });
});

describe('terraform with hostile strings', () => {
  const hostile = 'te"am\\ ${file("/etc/passwd")} %{ if true }x%{ endif }\nnext line';
  function hostilePlan(): Plan {
    const p = JSON.parse(JSON.stringify(planOf('cross-account'))) as Json;
    const a = p.associations[0]!;
    // A blocked identity whose name would end a comment line if newlines went through.
    p.associations.push({ ...a, namespace: 'ns\nresource "evil" "x" {}\n#', status: 'blocked', reasons: ['fargate\n}'] });
    const target = p.roles.find((r: Json) => r.kind === 'existing');
    target.trustPolicy.transition.Statement.push({
      Sid: 'Hostile',
      Effect: 'Allow',
      Principal: { AWS: hostile },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { [hostile]: hostile } },
    });
    target.trustPolicy.transition.Statement.push({ Effect: 'Deny', NotPrincipal: { AWS: hostile }, NotAction: ['iam:*', hostile], Resource: hostile });
    const chain = p.roles.find((r: Json) => r.kind === 'new');
    chain.trustPolicy.transition.Statement[0].Condition.StringEquals['aws:RequestTag/kubernetes-namespace'] = hostile;
    return p as Plan;
  }

  it('escapes every value: the output parses and round-trips the values exactly', async () => {
    const p = hostilePlan();
    const fs = files(p);
    const dir = await parseDir(fs);
    expectResolvable(dir);
    expect(Object.keys(dir.resource).sort()).toEqual(['aws_eks_pod_identity_association', 'aws_iam_role', 'aws_iam_role_policy']);
    const [role] = Object.values(dir.resource.aws_iam_role as Json) as Json[];
    expect(JSON.parse(literal(role!.assume_role_policy))).toEqual(p.roles.find((r) => r.kind === 'new')!.trustPolicy.transition);
    expect(interpolations(role!.assume_role_policy as string)).toEqual([]);
    const [doc] = Object.values(dir.data.aws_iam_policy_document as Json) as Json[];
    expect(doc!.statement.map(fromHcl)).toEqual(addedStatements(p.roles.find((r) => r.kind === 'existing')!).map((s) => normal(s as unknown as Json)));
    const associationsTf = fs.find((f) => f.path === 'associations.tf')!.content;
    expect(associationsTf).not.toMatch(/^resource "evil"/m);
    expect(associationsTf).toContain('ns\\x0aresource "evil" "x" {}\\x0a#');
    for (const f of fs.filter((x) => x.path.endsWith('.tf'))) expect(f.content, f.path).toBe(await format(f.content));
  });

  it('refuses names of migrating identities that AWS or Kubernetes would reject, naming the value', () => {
    for (const [field, value] of [
      ['namespace', hostile],
      ['serviceAccount', `sa-${hostile}`],
      ['cluster', 'c1"\n}\nresource "x" "y" {'],
    ] as const) {
      const p = JSON.parse(JSON.stringify(planOf('cross-account'))) as Json;
      p.associations[0]![field] = value;
      expect(() => files(p as Plan), field).toThrow(InputError);
    }
  });

  it('refuses role names that would leave the output directory', () => {
    const p = JSON.parse(JSON.stringify(planOf('basic'))) as Json;
    p.roles[0]!.name = '../../etc/x';
    p.roles[0]!.accountId = '..';
    expect(() => files(p as Plan)).toThrow(InputError);
  });
});

it('terraform templates interpolate only through escaping helpers', () => {
  expectHelpersOnly(path.join(import.meta.dirname, '..', '..', 'templates', 'terraform'));
});
