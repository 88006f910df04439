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
  | 'kubernetes'
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
  return undefined;
}
