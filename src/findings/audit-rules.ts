import { auditRule } from './entry.js';
import type { CatalogueEntry } from './model.js';

/** The audit rules' catalogue entries, in the order the audit runs them. */
export const AUDIT_RULES = {
  irsaTrustNoSubject: auditRule(
    'irsa-trust-no-subject',
    'critical',
    'IRSA trust has no subject condition',
    "The role trusts an EKS cluster's OIDC provider for sts:AssumeRoleWithWebIdentity without any `:sub` condition, so every service account in that cluster (anyone who can create a pod or a token there) can assume it. eksctl writes such a statement when no service account is given.",
    'Add a `StringEquals` condition on `<issuer>:sub` naming `system:serviceaccount:<namespace>:<name>` for each service account that needs the role.',
  ),
  trustWildcardPrincipal: auditRule(
    'trust-wildcard-principal',
    'critical',
    'Trust admits any AWS principal',
    'A trust statement with `Principal: "*"` or `{"AWS": "*"}` admits a principal of an unrelated account (no condition on the principal, its account or organization, or an external ID stops it). terraform-aws-modules\' self-assume statement (`ArnLike aws:PrincipalArn` on the role itself) is not flagged.',
    'Name the principals, or add a condition on `aws:PrincipalArn`, `aws:PrincipalAccount` or `aws:PrincipalOrgID`.',
  ),
  irsaTrustWildcardSubject: auditRule(
    'irsa-trust-wildcard-subject',
    'high',
    'IRSA trust admits service accounts by wildcard',
    'A `StringLike` condition on `:sub` uses `*` or `?`, so every service account matching the pattern (a whole namespace, or wider) can assume the role, including ones created later.',
    'Replace the pattern with `StringEquals` on the exact `system:serviceaccount:<namespace>:<name>` subjects that need the role.',
  ),
  irsaTrustIssuerMismatch: auditRule(
    'irsa-trust-issuer-mismatch',
    'high',
    'IRSA trust conditions name another issuer',
    "The `:sub` or `:aud` condition keys name a different OIDC issuer than the statement's `Federated` provider. The intended scoping does not apply: the statement either admits nobody or is not scoped the way it reads (typically a copy-paste from another cluster).",
    "Use the provider's own issuer (`<issuer-host-path>:sub` / `:aud`) in the condition keys, or trust the intended provider.",
  ),
  irsaTrustOrphanSubject: auditRule(
    'irsa-trust-orphan-subject',
    'high',
    'IRSA trust names a service account that does not exist',
    'The trust admits a service account by exact name, but no such service account exists in the scanned cluster of that issuer. Whoever can create it there (namespace admins, CI pipelines) gets the role.',
    'Remove the subject from the trust, or create the service account deliberately.',
  ),
  roleAdminPermissions: auditRule(
    'role-admin-permissions',
    'high',
    'Role reachable from pods has administrator permissions',
    'A role that pods can act as (annotated on a service account or used by a Pod Identity association) has `AdministratorAccess` attached or a policy allowing `*` on `*`. Compromising any of those pods compromises the account.',
    'Replace the policy with one granting only the actions and resources the workload uses (IAM Access Analyzer can generate one from CloudTrail).',
  ),
  irsaTrustNoAudience: auditRule(
    'irsa-trust-no-audience',
    'medium',
    'IRSA trust has no audience condition',
    'The statement trusting an EKS OIDC provider does not test `:aud`, so a token of that cluster minted for any audience (not only `sts.amazonaws.com`) is accepted.',
    'Add `StringEquals {"<issuer>:aud": "sts.amazonaws.com"}` to the statement.',
  ),
  irsaTrustUnknownProvider: auditRule(
    'irsa-trust-unknown-provider',
    'medium',
    'IRSA trust names an OIDC provider of no scanned cluster',
    'The role trusts an EKS OIDC provider whose issuer matches none of the clusters in the bundle: the cluster was deleted (the trust is dead weight) or was not scanned (the audit is incomplete for it).',
    "Remove the statement if the cluster is gone; otherwise add the cluster's `describe-cluster` and kubectl output to the bundle.",
  ),
  podIdentityUnscopedTrust: auditRule(
    'pod-identity-unscoped-trust',
    'medium',
    'Pod Identity trust not scoped to a cluster, namespace or service account',
    "The role trusts `pods.eks.amazonaws.com` with no condition on the `eks-cluster-arn`, `kubernetes-namespace` or `kubernetes-service-account` session tags, so any Pod Identity association in the account can use it: whoever may call `iam:PassRole` and `eks:CreatePodIdentityAssociation` can hand it to any pod. eksctl's migration writes exactly this.",
    'Add `StringEquals` conditions on `aws:RequestTag/eks-cluster-arn`, `aws:RequestTag/kubernetes-namespace` and `aws:RequestTag/kubernetes-service-account` for the identities that use the role.',
  ),
  podIdentityPartialScope: auditRule(
    'pod-identity-partial-scope',
    'medium',
    'Pod Identity trust scoped to a namespace or service account but not to a cluster',
    "The role trusts `pods.eks.amazonaws.com` with conditions on the `kubernetes-namespace` or `kubernetes-service-account` session tags but none on `eks-cluster-arn` or `eks-cluster-name`, as in the AWS guide's own example. Names repeat across clusters: the same namespace and service account in any cluster of the account (a test cluster, one created later) can be associated with the role and get its permissions.",
    'Add a `StringEquals` condition on `aws:RequestTag/eks-cluster-arn` naming the clusters that need the role, keeping the namespace and service-account conditions (irsa2pi plan writes such a statement for every identity it migrates).',
  ),
  oidcProviderUnused: auditRule(
    'oidc-provider-unused',
    'low',
    'EKS OIDC provider unused or of an unscanned cluster',
    'An IAM OIDC provider for an EKS issuer exists that no scanned role trusts, or whose cluster is not in the bundle. A leftover provider lets any later role trust that issuer by mistake, and a provider of a deleted cluster is dead weight.',
    'Delete the provider if its cluster is gone or no role needs IRSA from it; otherwise add the cluster to the bundle.',
  ),
  podIdentityTagsDisabled: auditRule(
    'pod-identity-tags-disabled',
    'low',
    "Association disables session tags its role's trust relies on",
    "The association was created with `disableSessionTags`, but its role's trust (or, with `targetRoleArn`, its target role's) admits it only through conditions on session tags. Without tags the condition fails: pods of this service account get no credentials.",
    'Update the association to enable session tags, or scope the trust with `sts:ExternalId`/unconditioned statements deliberately.',
  ),
  irsaRoleStale: auditRule(
    'irsa-role-stale',
    'low',
    'IRSA role not used for longer than the stale period',
    "A role whose trust admits an EKS cluster's service accounts through IRSA was not assumed for more than the stale period (`--stale-days`, 90 days unless given), as IAM's `RoleLastUsed` says at the time the evidence was collected, or has no use in IAM's tracking period (the trailing 400 days) and is older than the period. Its trust stays open to whoever can run a pod as those service accounts, with nothing using it: stale trust an auditor wants removed. Roles whose last use the evidence does not carry (`list-roles`, bundles without `RoleLastUsed`) are not judged.",
    'Confirm no workload needs the role (CloudTrail `AssumeRoleWithWebIdentity` events), then delete it, or remove its IRSA trust statements; do not migrate it to Pod Identity.',
  ),
  saRoleCrossAccount: auditRule(
    'sa-role-cross-account',
    'info',
    'Service account uses a role in another account',
    "The service account is annotated with a role in another AWS account than its cluster. The role's account must hold an OIDC provider for the cluster's issuer; with Pod Identity it is reached by chaining (targetRoleArn) from a role in the cluster's account.",
    "Nothing to fix; review that the other account's trust is scoped to this service account.",
  ),
} as const satisfies Record<string, CatalogueEntry>;
