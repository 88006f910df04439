/**
 * A stack's template with one role's trust replaced, for the change sets through which the scripts
 * change the trust of a role a CloudFormation or eksctl stack owns.
 * @module
 */
import type { PolicyDocument } from '../../../iam/policy.js';
import { InputError } from '../../../errors.js';

const isObject = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces `value` at `key` of an object, every other key and its place kept. */
function replaced(obj: Readonly<Record<string, unknown>>, key: string, value: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, k === key ? value : v]));
}

/**
 * The template with `Resources[logicalId].Properties.AssumeRolePolicyDocument` set to `trust`; every
 * other resource, property and key stays as it was, in its place. An {@link InputError} when the
 * template has no such property.
 */
export function withTrust(
  template: Readonly<Record<string, unknown>>,
  logicalId: string,
  trust: PolicyDocument | null,
  where: string,
): Record<string, unknown> {
  const resources = template.Resources;
  const resource = isObject(resources) ? resources[logicalId] : undefined;
  const properties = isObject(resource) ? resource.Properties : undefined;
  if (!isObject(resources) || !isObject(resource) || !isObject(properties) || !isObject(properties.AssumeRolePolicyDocument) || trust === null)
    throw new InputError(`refusing to emit: ${where}: the stack's template has no AssumeRolePolicyDocument of ${logicalId} to replace`);
  return replaced(
    template,
    'Resources',
    replaced(resources, logicalId, replaced(resource, 'Properties', replaced(properties, 'AssumeRolePolicyDocument', trust))),
  );
}

/** A JSON value with the keys of every object sorted, as Terraform's `jsonencode` writes a document. */
export function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((k) => [k, sortedKeys(v[k])]),
  );
}
