import { isKubernetesDocument } from './kubernetes.js';

/** What an evidence document was recognised as, by its content. */
export type EvidenceKind =
  | 'iam-authorization-details'
  | 'iam-list-roles'
  | 'iam-get-role'
  | 'iam-oidc-providers'
  | 'eks-describe-cluster'
  | 'eks-list-clusters'
  | 'eks-pod-identity-association'
  | 'eks-list-pod-identity-associations'
  | 'eks-describe-addon'
  | 'eks-list-addons'
  | 'eks-addon-configuration'
  | 'kubernetes'
  | 'cloudformation-stacks'
  | 'cloudformation-stack-resources'
  | 'cloudformation-stack-resource-summaries'
  | 'cloudformation-template'
  | 'terraform-state'
  | 'terraform-show'
  | 'scan-gaps'
  | 'collection';

const has = (doc: Record<string, unknown>, key: string) => Object.prototype.hasOwnProperty.call(doc, key);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Recognises AWS CLI and kubectl output by its top-level shape; undefined when it is none of them. */
export function classify(doc: unknown): EvidenceKind | undefined {
  if (!isObject(doc)) return undefined;
  if (isKubernetesDocument(doc)) return 'kubernetes';
  if (Array.isArray(doc.irsa2piScanGaps)) return 'scan-gaps';
  if (isObject(doc.irsa2piCollection)) return 'collection';
  if (has(doc, 'RoleDetailList')) return 'iam-authorization-details';
  if (has(doc, 'Roles')) return 'iam-list-roles';
  if (isObject(doc.Role)) return 'iam-get-role';
  if (has(doc, 'OpenIDConnectProviderList')) return 'iam-oidc-providers';
  if (isObject(doc.cluster)) return 'eks-describe-cluster';
  if (Array.isArray(doc.clusters)) return 'eks-list-clusters';
  if (isObject(doc.association)) return 'eks-pod-identity-association';
  if (Array.isArray(doc.associations)) return 'eks-list-pod-identity-associations';
  if (isObject(doc.addon)) return 'eks-describe-addon';
  if (Array.isArray(doc.addons)) return 'eks-list-addons';
  if (typeof doc.addonName === 'string' && typeof doc.addonVersion === 'string' && (has(doc, 'configurationSchema') || has(doc, 'podIdentityConfiguration')))
    return 'eks-addon-configuration';
  if (Array.isArray(doc.Stacks) || Array.isArray(doc.StackSummaries)) return 'cloudformation-stacks';
  if (Array.isArray(doc.StackResources)) return 'cloudformation-stack-resources';
  if (Array.isArray(doc.StackResourceSummaries)) return 'cloudformation-stack-resource-summaries';
  if (has(doc, 'TemplateBody')) return 'cloudformation-template';
  if (typeof doc.version === 'number' && typeof doc.terraform_version === 'string' && has(doc, 'lineage')) return 'terraform-state';
  if (typeof doc.format_version === 'string' && (has(doc, 'values') || has(doc, 'planned_values') || has(doc, 'terraform_version'))) return 'terraform-show';
  return undefined;
}
