/**
 * Resource names that stay where this configuration's own state holds them. The root module names a
 * resource after its label, with a hash of its key when labels clash; a clash that appears later
 * (a cluster of the same name in another region) would rename a resource an earlier run created,
 * and the next apply would destroy it at its old address. A name the state already gives a resource
 * at the root module, in that shape, is kept.
 * @module
 */
import { identifierOf, uniqueIdentifiers } from '../../names.js';

/** One resource to name: `held` is the name a Terraform state gives it at the root module (`<type>.<name>`), if any. */
export interface NameEntry {
  readonly key: string;
  readonly label: string;
  readonly held?: string | undefined;
}

const HASHED = /^(.*)_[0-9a-f]{8}$/;

/** Whether `held` is a name this configuration gives `label`: the label as an identifier, with or without a clash's hash. */
function generatedShape(held: string, label: string): boolean {
  const base = identifierOf(label);
  return held === base || HASHED.exec(held)?.[1] === base;
}

/** Unique identifiers per key as `uniqueIdentifiers` gives them, except that a name the state holds in the generated shape is kept. */
export function namesKeepingState(entries: readonly NameEntry[]): Map<string, string> {
  const kept = new Map<string, string>();
  for (const e of entries) if (e.held !== undefined && generatedShape(e.held, e.label) && ![...kept.values()].includes(e.held)) kept.set(e.key, e.held);
  const rest = uniqueIdentifiers(
    entries.filter((e) => !kept.has(e.key)),
    new Set(kept.values()),
  );
  return new Map([...kept, ...rest]);
}

/** The name at the root module of a Terraform owner's address of `type`, e.g. `c1_misc_app` of `aws_eks_pod_identity_association.c1_misc_app`. */
export function rootName(owner: { readonly module: string | null; readonly address: string } | undefined, type: string): string | undefined {
  if (owner?.module !== null) return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(owner.address);
  return m?.[1] === type ? m[2] : undefined;
}
