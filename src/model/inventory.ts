import type { PolicyDocument } from '../iam/policy.js';
import type { OwnerEvidence } from './owners.js';

/** An IAM managed policy attached to a role. */
export interface AttachedPolicy {
  readonly name: string;
  readonly arn: string;
}

/** An inline policy of a role. */
export interface InlinePolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/**
 * IAM's `RoleLastUsed`: when and in which region the role was last assumed, as far as IAM tracks it
 * (the trailing 400 days). An empty value (`{}`) was collected: no use in that period.
 */
export interface RoleLastUse {
  /** The last use, a UTC time (`toISOString`); absent when IAM recorded none in its tracking period. */
  readonly date?: string;
  readonly region?: string;
  /** The evidence file it came from: its collection time is when IAM said so. */
  readonly source: string;
}

/** An IAM role with its trust policy. */
export interface Role {
  readonly arn: string;
  readonly name: string;
  readonly path: string;
  readonly accountId: string;
  readonly trustPolicy: PolicyDocument;
  readonly attachedPolicies: readonly AttachedPolicy[];
  readonly inlinePolicies: readonly InlinePolicy[];
  /** The role's tags (eksctl's `alpha.eksctl.io/*`, CloudFormation's `aws:cloudformation:*`), when collected. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The managed policy that bounds the role's permissions, when it has one. */
  readonly permissionsBoundaryArn?: string;
  /** When the role was created (`CreateDate`), a UTC time; absent when the evidence does not say. */
  readonly createDate?: string;
  /** `RoleLastUsed` as collected; absent when the evidence does not carry it (`list-roles`, older bundles): last use unknown. */
  readonly lastUsed?: RoleLastUse;
  /** The evidence file the role came from. */
  readonly source: string;
}

/** An IAM OIDC identity provider. */
export interface OidcProvider {
  readonly arn: string;
  readonly accountId: string;
  /** The issuer without `https://`, e.g. `oidc.eks.eu-west-1.amazonaws.com/id/ABC`. */
  readonly hostPath: string;
}

/** A Kubernetes service account. */
export interface ServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** `eks.amazonaws.com/role-arn`, when annotated. */
  readonly roleArn: string | undefined;
  /** `eks.amazonaws.com/audience` or `sts.amazonaws.com`. */
  readonly audience: string;
}

/** A controller reference (`metadata.ownerReferences` with `controller: true`). */
export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid: string | undefined;
}

/** A pod, reduced to what decides identity and placement. */
export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  /** `spec.serviceAccountName`, or `default` when the pod names none. */
  readonly serviceAccount: string;
  readonly nodeName: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly owner: OwnerRef | undefined;
  readonly phase: string | undefined;
}

/** A node, reduced to what decides whether Pod Identity can run there. */
export interface Node {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly os: string;
  readonly fargate: boolean;
}

/** A workload controller: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob. */
/** A top-level workload (or a bare pod) by kind, namespace and name. */
export interface WorkloadRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Workload {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly owner: OwnerRef | undefined;
  /** The service account its pod template names (`default` when none). */
  readonly serviceAccount: string;
}

/** What was read from one cluster's Kubernetes API. */
export interface KubernetesState {
  readonly serviceAccounts: readonly ServiceAccount[];
  readonly pods: readonly Pod[];
  readonly nodes: readonly Node[];
  readonly workloads: readonly Workload[];
  /** The evidence files it came from. */
  readonly sources: readonly string[];
}

/** An EKS cluster (`describe-cluster`) and, when scanned, its Kubernetes objects. */
export interface Cluster {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly version: string | undefined;
  readonly platformVersion: string | undefined;
  readonly issuer: string | undefined;
  readonly issuerHostPath: string | undefined;
  readonly endpoint: string | undefined;
  readonly autoMode: boolean;
  readonly onOutposts: boolean;
  readonly kubernetes: KubernetesState | undefined;
  readonly source: string;
}

/** An existing EKS Pod Identity association. */
export interface PodIdentityAssociation {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
  readonly targetRoleArn: string | undefined;
  readonly associationId: string;
  readonly associationArn: string;
  readonly ownerArn: string | undefined;
  readonly disableSessionTags: boolean;
  readonly source: string;
}

/** A Pod Identity association known only from `list-pod-identity-associations`: its role is not known. */
export interface PodIdentityAssociationSummary {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly associationId: string;
  readonly associationArn: string;
  readonly source: string;
}

/** An EKS add-on of a cluster. */
export interface Addon {
  readonly name: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly version: string | undefined;
  readonly serviceAccountRoleArn: string | undefined;
  /** The namespace the add-on is installed in, when `describe-addon` says (`namespaceConfig`, a custom namespace). */
  readonly namespace: string | undefined;
  /** ARNs of the Pod Identity associations the add-on owns. */
  readonly podIdentityAssociations: readonly string[];
  readonly source: string;
}

/**
 * What `aws eks describe-addon-configuration` says of one add-on version: whether it can take Pod
 * Identity associations (`podIdentityConfiguration`), and for which of its service accounts.
 */
export interface AddonConfiguration {
  readonly addonName: string;
  readonly addonVersion: string;
  /** The service accounts `podIdentityConfiguration` names; empty: this version takes no Pod Identity association. */
  readonly podIdentityServiceAccounts: readonly string[];
  readonly source: string;
}

/** One evidence file and what it was taken as. */
export interface EvidenceFile {
  readonly path: string;
  readonly kind: string;
  readonly accountId?: string;
  readonly region?: string;
  readonly cluster?: string;
  readonly modifiedAt?: string;
  /** When the collector read it, as its `collection.json` records; absent when no collector recorded it. */
  readonly collectedAt?: string;
}

/** A customer- or AWS-managed policy, with its default version's document when collected. */
export interface ManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly document: PolicyDocument | undefined;
}

/** A cluster, region or account the collector could not read (`scan-gaps.json`). */
export interface ScanGap {
  readonly scope: 'cluster' | 'region' | 'account';
  readonly name: string;
  readonly region: string | undefined;
  readonly error: string;
  readonly source: string;
}

/** Everything the planner knows: the facts, from live APIs or an evidence bundle. */
export interface Inventory {
  readonly roles: readonly Role[];
  readonly managedPolicies: readonly ManagedPolicy[];
  readonly oidcProviders: readonly OidcProvider[];
  /** Accounts whose OIDC provider list was collected (a provider missing there is known to be absent). */
  readonly accountsWithProviderList: readonly string[];
  readonly clusters: readonly Cluster[];
  readonly associations: readonly PodIdentityAssociation[];
  /** Associations a collected list names that no `describe-pod-identity-association` output gives: they exist, with an unknown role. */
  readonly undescribedAssociations?: readonly PodIdentityAssociationSummary[];
  readonly addons: readonly Addon[];
  /** The add-on versions whose configuration was collected; a version missing here is of unknown Pod Identity support. */
  readonly addonConfigurations?: readonly AddonConfiguration[];
  readonly evidence: readonly EvidenceFile[];
  /** What the collector could not read: the plan is partial there. */
  readonly scanGaps: readonly ScanGap[];
  /** Files seen but not taken as evidence. */
  readonly ignored: readonly string[];
  /** CloudFormation stacks and Terraform state, when any was collected; absent when owners were not looked at. */
  readonly owners?: OwnerEvidence;
  /**
   * Clusters of the evidence that `--cluster`/`--region` left out, with their associations: facts the
   * plan and the audit still reason with (a chaining role another cluster uses, an issuer that does
   * belong to a cluster), never planned or reported themselves.
   */
  readonly outOfScope?: OutOfScope;
}

/** What `--cluster`/`--region` left out of an inventory. */
export interface OutOfScope {
  readonly clusters: readonly Cluster[];
  readonly associations: readonly PodIdentityAssociation[];
}
