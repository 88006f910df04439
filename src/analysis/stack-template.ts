import type { PolicyDocument } from '../iam/policy.js';
import type { CloudFormationTemplate } from '../model/owners.js';

/** CloudFormation's largest `TemplateBody` in a request, in bytes. */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
/** The largest trust policy IAM allows, in characters (each at most 3 bytes of UTF-8 in a JSON text). */
const MAX_TRUST_BYTES = 4_096 * 3;

/** The stack that holds a role, and the role's resource in it: what a change set of its trust needs. */
export interface RoleStack {
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  readonly logicalId: string;
  /** The template (`get-template`'s JSON `TemplateBody`); undefined when it cannot be rewritten (see {@link stackTemplateProblem}). */
  readonly template: Readonly<Record<string, unknown>> | undefined;
}

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a JSON value has a key that JavaScript objects put first whatever its place (an array index such as `"1"`). */
function hasIndexKey(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasIndexKey);
  if (!isObject(v)) return false;
  return Object.keys(v).some((k) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < 2 ** 32 - 1) || Object.values(v).some(hasIndexKey);
}

/** Whether a template value calls an intrinsic function (`Ref`, `Fn::…`, `Condition`). */
function hasIntrinsic(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasIntrinsic);
  if (!isObject(v)) return false;
  return Object.keys(v).some((k) => k === 'Ref' || k.startsWith('Fn::')) || Object.values(v).some(hasIntrinsic);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/**
 * Why a role's trust cannot be changed through its stack's template, or undefined when it can: the
 * template is not in the evidence, is YAML (the scripts write JSON only), calls intrinsic functions in
 * the trust, or holds a trust other than the role's (stack drift); a template with the largest trust IAM
 * allows could pass CloudFormation's 51,200-byte `TemplateBody` limit; or its keys could not be written
 * back in their order.
 */
export function stackTemplateProblem(
  stack: Omit<RoleStack, 'template'>,
  template: CloudFormationTemplate | undefined,
  trust: PolicyDocument,
): string | undefined {
  const where = `stack ${stack.name} (${stack.region})`;
  if (!template)
    return `the template of ${where} is not in the evidence (save \`aws cloudformation get-template --stack-name ${stack.name} --region ${stack.region}\` as aws/${stack.accountId}/${stack.region}/cloudformation-template-${stack.name}.json)`;
  const body = template.body;
  if (typeof body === 'string') return `the template of ${where} is YAML; the scripts rewrite JSON templates only: change the trust in the template's source`;
  const resources = body.Resources;
  const resource = isObject(resources) ? resources[stack.logicalId] : undefined;
  if (!isObject(resource) || resource.Type !== 'AWS::IAM::Role') return `the template of ${where} has no AWS::IAM::Role ${stack.logicalId}`;
  const doc = isObject(resource.Properties) ? resource.Properties.AssumeRolePolicyDocument : undefined;
  if (!isObject(doc)) return `${stack.logicalId} in the template of ${where} has no AssumeRolePolicyDocument object`;
  if (hasIntrinsic(doc))
    return `the AssumeRolePolicyDocument of ${stack.logicalId} in the template of ${where} calls intrinsic functions; the scripts replace literal documents only`;
  if (canonical(doc) !== canonical(trust))
    return `the AssumeRolePolicyDocument of ${stack.logicalId} in the template of ${where} is not the role's trust (the stack has drifted)`;
  if (hasIndexKey(body)) return `the template of ${where} has keys such as "1" whose order cannot be kept when it is written back`;
  const bound =
    Buffer.byteLength(JSON.stringify(body)) - Buffer.byteLength(JSON.stringify(doc)) + Math.max(MAX_TRUST_BYTES, Buffer.byteLength(JSON.stringify(doc)));
  if (bound > MAX_TEMPLATE_BODY_BYTES)
    return `the template of ${where} with a rewritten trust could pass CloudFormation's limit of ${MAX_TEMPLATE_BODY_BYTES} bytes of TemplateBody; change the trust in the template's source`;
  return undefined;
}
