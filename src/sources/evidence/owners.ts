import { InputError } from '../../errors.js';
import { parseArn } from '../../iam/arn.js';
import type { CloudFormationResource, CloudFormationStack, TerraformResource } from '../../model/owners.js';
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
  return { ...stackPlace(f, 'StackId', name), name, status: f.str('StackStatus'), tags: tagList(f), source: f.file };
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

/** The managed resources of a raw `terraform.tfstate` (format version 4). */
export function rawStateResources(f: Fields, workspace: string): TerraformResource[] {
  if (f.value.version !== 4)
    throw new InputError(`$.version is ${JSON.stringify(f.value.version)}; only Terraform state format version 4 (Terraform 0.12 and later) is read`, f.file);
  const out: TerraformResource[] = [];
  for (const r of f.objects('resources')) {
    const mode = r.str('mode');
    if (mode !== 'managed' && mode !== 'data') throw new InputError(`${r.path}.mode must be "managed" or "data"`, f.file);
    const type = checkedName(r, 'type');
    const name = checkedName(r, 'name');
    const module = checkedModule(r, 'module');
    const instances = r.objects('instances');
    if (mode === 'data') continue;
    instances.forEach((inst, i) => {
      const values = inst.obj('attributes');
      const address = `${module === null ? '' : `${module}.`}${type}.${name}${indexSuffix(inst.value.index_key, r, `instances[${i}].index_key`)}`;
      out.push({ workspace, address, module, type, arn: arnAttribute(type, values), source: f.file });
    });
  }
  return out;
}

/** The managed resources of `terraform show -json` (of a state): the root module and its child modules, depth first. */
export function shownStateResources(f: Fields, workspace: string): TerraformResource[] {
  const out: TerraformResource[] = [];
  const values = f.optObj('values');
  if (!values) return out;
  const visit = (m: Fields, module: string | null) => {
    for (const r of m.objects('resources')) {
      const mode = r.str('mode');
      if (mode !== 'managed' && mode !== 'data') throw new InputError(`${r.path}.mode must be "managed" or "data"`, f.file);
      const type = checkedName(r, 'type');
      const name = checkedName(r, 'name');
      const address = r.str('address');
      const expected = `${module === null ? '' : `${module}.`}${mode === 'data' ? 'data.' : ''}${type}.${name}${indexSuffix(r.value.index, r, 'index')}`;
      if (address !== expected)
        throw new InputError(
          `${r.path}.address is ${JSON.stringify(address)}, but its module, mode, type, name and index make ${JSON.stringify(expected)}`,
          f.file,
        );
      if (mode === 'managed') out.push({ workspace, address, module, type, arn: arnAttribute(type, r.obj('values')), source: f.file });
    }
    for (const child of m.objects('child_modules')) {
      const address = checkedModule(child, 'address');
      if (address === null || (module !== null && !address.startsWith(`${module}.module.`)))
        throw new InputError(`${child.path}.address must be a module address inside ${module ?? 'the root module'}`, f.file);
      visit(child, address);
    }
  };
  visit(values.obj('root_module'), null);
  return out;
}
