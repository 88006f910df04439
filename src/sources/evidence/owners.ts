import { InputError } from '../../errors.js';
import { parseArn } from '../../iam/arn.js';
import type { CloudFormationResource, CloudFormationStack, IrsaModule, TerraformResource } from '../../model/owners.js';
import { tagList } from './aws.js';
import type { Fields } from './fields.js';

/** The account and region of a stack, from its `StackId` ARN (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`). */
function stackPlace(f: Fields, key: string, name: string): { stackId: string; accountId: string; region: string } {
  const stackId = f.str(key);
  const parsed = parseArn(stackId);
  if (
    !parsed ||
    parsed.service !== 'cloudformation' ||
    !/^\d{12}$/.test(parsed.accountId) ||
    parsed.region === '' ||
    !parsed.resource.startsWith(`stack/${name}/`)
  )
    throw new InputError(`${f.path}.${key} is not the ARN of CloudFormation stack ${JSON.stringify(name)}: ${JSON.stringify(stackId)}`, f.file);
  return { stackId, accountId: parsed.accountId, region: parsed.region };
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

function stackName(f: Fields, key: string): string {
  const name = f.str(key);
  if (!STACK_NAME.test(name)) throw new InputError(`${f.path}.${key} is not a CloudFormation stack name: ${JSON.stringify(name.slice(0, 140))}`, f.file);
  return name;
}

/** A stack of `describe-stacks` (`Stacks`) or `list-stacks` (`StackSummaries`, which carry no tags). */
export function stackFrom(f: Fields): CloudFormationStack {
  const name = stackName(f, 'StackName');
  const rootStackId = f.optStr('RootId') ?? f.optStr('ParentId');
  return {
    ...stackPlace(f, 'StackId', name),
    name,
    status: f.str('StackStatus'),
    ...(rootStackId ? { rootStackId } : {}),
    tags: tagList(f),
    source: f.file,
  };
}

/** A resource of `describe-stack-resources` (`StackResources`). */
export function stackResourceFrom(f: Fields): CloudFormationResource {
  const name = stackName(f, 'StackName');
  const logicalId = f.str('LogicalResourceId');
  if (!LOGICAL_ID.test(logicalId))
    throw new InputError(`${f.path}.LogicalResourceId is not a CloudFormation logical ID: ${JSON.stringify(logicalId.slice(0, 140))}`, f.file);
  return {
    ...stackPlace(f, 'StackId', name),
    stackName: name,
    logicalId,
    physicalId: f.optStr('PhysicalResourceId') || undefined,
    type: f.str('ResourceType'),
    status: f.optStr('ResourceStatus'),
    source: f.file,
  };
}

/** Terraform's instance address suffix: `[0]` for a number key, `["a"]` for a string key. */
function indexSuffix(key: unknown, f: Fields, where: string): string {
  if (key === undefined || key === null) return '';
  if (typeof key === 'number' && Number.isInteger(key) && key >= 0) return `[${key}]`;
  if (typeof key === 'string') return `[${JSON.stringify(key)}]`;
  throw new InputError(`${f.path}.${where} must be a whole number or a string`, f.file);
}

const ARN_ATTRIBUTES: Readonly<Record<string, string>> = {
  aws_iam_role: 'arn',
  aws_eks_addon: 'arn',
  aws_eks_pod_identity_association: 'association_arn',
};

function arnAttribute(type: string, values: Fields): string | undefined {
  const key = ARN_ATTRIBUTES[type];
  return key === undefined ? undefined : values.optStr(key) || undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function checkedName(f: Fields, key: string): string {
  const v = f.str(key);
  if (!NAME.test(v)) throw new InputError(`${f.path}.${key} is not a Terraform name: ${JSON.stringify(v)}`, f.file);
  return v;
}

const MODULE_ADDRESS = /^module\.[A-Za-z_][A-Za-z0-9_-]*(\[(\d+|"[^"\\]*")\])?(\.module\.[A-Za-z_][A-Za-z0-9_-]*(\[(\d+|"[^"\\]*")\])?)*$/;

function checkedModule(f: Fields, key: string): string | null {
  const m = f.optStr(key);
  if (m === undefined || m === '') return null;
  if (!MODULE_ADDRESS.test(m)) throw new InputError(`${f.path}.${key} is not a module address: ${JSON.stringify(m)}`, f.file);
  return m;
}

/** One resource instance of a state, managed or data, with what tells a module's shape. */
interface StateInstance {
  readonly mode: 'managed' | 'data';
  readonly module: string | null;
  readonly type: string;
  /** The address without the module: `aws_iam_role.this[0]`, `data.aws_iam_policy_document.assume[0]`. */
  readonly local: string;
  readonly trust: string | undefined;
  /** The root module's provider configuration (`aws`, `aws.<alias>`), when the state records it. */
  readonly provider?: string;
}

const ROOT_AWS_PROVIDER = /^provider\["(?:registry\.terraform\.io\/)?hashicorp\/aws"\](?:\.([A-Za-z_][A-Za-z0-9_-]*))?$/;

/** `aws` or `aws.<alias>` from a raw state's provider address of the root module's hashicorp/aws; undefined for any other. */
function rootAwsProvider(address: string | undefined): string | undefined {
  const m = address === undefined ? null : ROOT_AWS_PROVIDER.exec(address);
  if (!m) return undefined;
  return m[1] === undefined ? 'aws' : `aws.${m[1]}`;
}

const V5_TYPES = new Set(['aws_iam_role', 'aws_iam_policy', 'aws_iam_role_policy_attachment']);
const V6_TYPES = new Set([...V5_TYPES, 'aws_iam_role_policy']);

/** Whether a trust document admits only what the IRSA modules write: OIDC web identity, and v5's optional self-assume. */
function irsaModuleTrust(trust: string | undefined): boolean {
  if (trust === undefined) return false;
  let doc: unknown;
  try {
    doc = JSON.parse(trust);
  } catch {
    return false;
  }
  const raw = (doc as { Statement?: unknown } | null)?.Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as unknown[];
  const webIdentity = (s: Record<string, unknown>) =>
    s.Action === 'sts:AssumeRoleWithWebIdentity' && typeof (s.Principal as Record<string, unknown> | undefined)?.Federated === 'string';
  const selfAssume = (s: Record<string, unknown>) =>
    s.Action === 'sts:AssumeRole' && typeof (s.Principal as Record<string, unknown> | undefined)?.AWS === 'string';
  return (
    statements.length > 0 &&
    statements.every((s) => typeof s === 'object' && s !== null && (webIdentity(s as Record<string, unknown>) || selfAssume(s as Record<string, unknown>))) &&
    statements.some((s) => webIdentity(s as Record<string, unknown>))
  );
}

/**
 * Which terraform-aws-modules IRSA module a module instance is, from its resources (terraform-aws-iam
 * v5 `modules/iam-role-for-service-accounts-eks`, v6 `modules/iam-role-for-service-accounts`): one
 * role `aws_iam_role.this[0]` whose trust is OIDC web identity only, besides it only policies, policy
 * attachments (and v6's inline policy), and the trust document `data.aws_iam_policy_document.this[0]`
 * (v5) or `.assume[0]` (v6). Neither has child modules, which `managedResources` checks: a
 * `removed {}` of the call would forget theirs too.
 */
function irsaModuleOf(instances: readonly StateInstance[]): IrsaModule | undefined {
  const managed = instances.filter((i) => i.mode === 'managed');
  const roles = managed.filter((i) => i.type === 'aws_iam_role');
  if (roles.length !== 1 || roles[0]?.local !== 'aws_iam_role.this[0]' || !irsaModuleTrust(roles[0].trust)) return undefined;
  const data = new Set(instances.filter((i) => i.mode === 'data').map((i) => i.local));
  if (data.has('data.aws_iam_policy_document.assume[0]') && managed.every((i) => V6_TYPES.has(i.type))) return 'iam-role-for-service-accounts';
  if (data.has('data.aws_iam_policy_document.this[0]') && managed.every((i) => V5_TYPES.has(i.type))) return 'iam-role-for-service-accounts-eks';
  return undefined;
}

/** The managed resources among `instances`, a terraform-aws-modules IRSA module's role marked as such. */
function managedResources(instances: readonly StateInstance[], workspace: string, arns: readonly (string | undefined)[], file: string): TerraformResource[] {
  const byModule = new Map<string, StateInstance[]>();
  for (const i of instances) if (i.module !== null) byModule.set(i.module, [...(byModule.get(i.module) ?? []), i]);
  const modules = [...byModule.keys()];
  const hasChildModules = (module: string) => modules.some((m) => m.startsWith(`${module}.module.`));
  const kinds = new Map([...byModule].map(([module, list]) => [module, hasChildModules(module) ? undefined : irsaModuleOf(list)]));
  const out: TerraformResource[] = [];
  instances.forEach((i, n) => {
    if (i.mode !== 'managed') return;
    const address = `${i.module === null ? '' : `${i.module}.`}${i.local}`;
    const irsaModule = i.module !== null && i.local === 'aws_iam_role.this[0]' ? kinds.get(i.module) : undefined;
    out.push({
      workspace,
      address,
      module: i.module,
      type: i.type,
      arn: arns[n],
      ...(irsaModule ? { irsaModule } : {}),
      ...(irsaModule && i.provider ? { provider: i.provider } : {}),
      source: file,
    });
  });
  return out;
}

function trustAttribute(type: string, values: Fields): string | undefined {
  if (type !== 'aws_iam_role') return undefined;
  const v = values.value.assume_role_policy;
  return typeof v === 'string' ? v : undefined;
}

/** The managed resources of a raw `terraform.tfstate` (format version 4). */
export function rawStateResources(f: Fields, workspace: string): TerraformResource[] {
  if (f.value.version !== 4)
    throw new InputError(`$.version is ${JSON.stringify(f.value.version)}; only Terraform state format version 4 (Terraform 0.12 and later) is read`, f.file);
  const instances: StateInstance[] = [];
  const arns: (string | undefined)[] = [];
  for (const r of f.objects('resources')) {
    const mode = r.str('mode');
    if (mode !== 'managed' && mode !== 'data') throw new InputError(`${r.path}.mode must be "managed" or "data"`, f.file);
    const type = checkedName(r, 'type');
    const name = checkedName(r, 'name');
    const module = checkedModule(r, 'module');
    const provider = rootAwsProvider(r.optStr('provider'));
    r.objects('instances').forEach((inst, i) => {
      const suffix = indexSuffix(inst.value.index_key, r, `instances[${i}].index_key`);
      const local = `${mode === 'data' ? 'data.' : ''}${type}.${name}${suffix}`;
      if (mode === 'data') {
        instances.push({ mode, module, type, local, trust: undefined });
        arns.push(undefined);
        return;
      }
      const values = inst.obj('attributes');
      instances.push({ mode, module, type, local, trust: trustAttribute(type, values), ...(provider ? { provider } : {}) });
      arns.push(arnAttribute(type, values));
    });
  }
  return managedResources(instances, workspace, arns, f.file);
}

/** The managed resources of `terraform show -json` (of a state): the root module and its child modules, depth first. */
export function shownStateResources(f: Fields, workspace: string): TerraformResource[] {
  const instances: StateInstance[] = [];
  const arns: (string | undefined)[] = [];
  const values = f.optObj('values');
  if (!values) return [];
  const visit = (m: Fields, module: string | null) => {
    for (const r of m.objects('resources')) {
      const mode = r.str('mode');
      if (mode !== 'managed' && mode !== 'data') throw new InputError(`${r.path}.mode must be "managed" or "data"`, f.file);
      const type = checkedName(r, 'type');
      const name = checkedName(r, 'name');
      const address = r.str('address');
      const local = `${mode === 'data' ? 'data.' : ''}${type}.${name}${indexSuffix(r.value.index, r, 'index')}`;
      const expected = `${module === null ? '' : `${module}.`}${local}`;
      if (address !== expected)
        throw new InputError(
          `${r.path}.address is ${JSON.stringify(address)}, but its module, mode, type, name and index make ${JSON.stringify(expected)}`,
          f.file,
        );
      if (mode === 'managed') {
        const v = r.obj('values');
        instances.push({ mode, module, type, local, trust: trustAttribute(type, v) });
        arns.push(arnAttribute(type, v));
      } else {
        instances.push({ mode, module, type, local, trust: undefined });
        arns.push(undefined);
      }
    }
    for (const child of m.objects('child_modules')) {
      const address = checkedModule(child, 'address');
      if (address === null || (module !== null && !address.startsWith(`${module}.module.`)))
        throw new InputError(`${child.path}.address must be a module address inside ${module ?? 'the root module'}`, f.file);
      visit(child, address);
    }
  };
  visit(values.obj('root_module'), null);
  return managedResources(instances, workspace, arns, f.file);
}
