import type { Finding, Severity } from '../findings/model.js';
import type { PolicyDocument } from '../iam/policy.js';
import type { WorkloadRef } from '../model/inventory.js';
import type { Owner } from '../model/owners.js';

/** The version of the JSON plan contract; bumped on any incompatible change. */
export const PLAN_SCHEMA_VERSION = 1;

/** What the plan does with one identity. */
export type AssociationStatus = 'create' | 'exists' | 'conflict' | 'blocked' | 'skipped';
export const ASSOCIATION_STATUSES: readonly AssociationStatus[] = ['create', 'exists', 'conflict', 'blocked', 'skipped'];

export type { Owner, WorkloadRef };

/** One IRSA identity (an annotated service account) and the Pod Identity association planned for it. */
export interface PlannedAssociation {
  readonly cluster: string;
  readonly clusterArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The role named by the `eks.amazonaws.com/role-arn` annotation. */
  readonly currentRoleArn: string;
  /** The association's role: the annotated role, or the same-account role chaining into it. */
  readonly roleArn: string;
  /** The role EKS chains into when the annotated role is in another account; otherwise null. */
  readonly targetRoleArn: string | null;
  readonly via: 'association' | 'addon';
  readonly addon: string | null;
  readonly status: AssociationStatus;
  /** Rule ids of the findings that explain the status. */
  readonly reasons: readonly string[];
  readonly workloads: readonly WorkloadRef[];
  readonly podCount: number;
  /** The ID of the association that exists for this service account, if any. */
  readonly existingAssociationId: string | null;
  /** Who owns the association: the add-on's owner for `via: addon`, else the existing association's; absent when no owner evidence was collected. */
  readonly owner?: Owner;
}

/** The trust policy of a role at each phase of the migration. */
export interface TrustPhases {
  /** As collected; null for a role the plan creates. */
  readonly current: PolicyDocument | null;
  /** Current trust plus the Pod Identity (or chaining) statements. */
  readonly transition: PolicyDocument;
  /** Transition minus IRSA admission for the migrated identities. */
  readonly final: PolicyDocument;
}

/** A difference the equivalence check found for one identity. */
export interface EquivalenceDifference {
  readonly phase: 'transition' | 'final';
  readonly mechanism: 'irsa' | 'pod-identity' | 'statements';
  readonly identity: string;
  readonly expected: string;
  readonly actual: string;
}

/** The result of the tool's own check of a rewrite. */
export interface EquivalenceReport {
  readonly identitiesChecked: number;
  readonly differences: readonly EquivalenceDifference[];
}

/** What every planned role has, whatever its kind. */
interface PlannedRoleBase {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  readonly trustPolicy: TrustPhases;
  readonly changed: boolean;
  readonly equivalent: boolean;
  readonly equivalence: EquivalenceReport;
  /** The migrated identities (`cluster/namespace/serviceAccount`) this role admits after the migration. */
  readonly migrated: readonly string[];
  /** Minified character counts of the trust at each phase. */
  readonly trustSize: { readonly current: number; readonly transition: number; readonly final: number };
  /** Who owns the role; absent when no owner evidence was collected and the role carries no owner tags. */
  readonly owner?: Owner;
  /**
   * For a role a CloudFormation or eksctl stack owns: the stack and the role's resource in it, with the
   * stack's template when the scripts can change the trust through a change set of it.
   */
  readonly stack?: OwnerStack;
}

/** The stack that owns a role, and its template, for changing the role's trust through the stack. */
export interface OwnerStack {
  readonly name: string;
  readonly region: string;
  /** The role's logical ID in the template. */
  readonly logicalId: string;
  /** The template as `get-template` gave it (JSON, keys in their order); absent when it cannot be rewritten (an `owner-unsafe` finding says why). */
  readonly template?: Readonly<Record<string, unknown>>;
}

/** A role that exists, whose trust the plan reads or rewrites for its own identities. */
export interface ExistingPlannedRole extends PlannedRoleBase {
  readonly kind: 'existing';
  readonly chainsTo: null;
  readonly permissionsPolicy: null;
}

/** A same-account role for chaining that exists already, exactly as the plan would create it, and is adopted. */
export interface AdoptedChainingRole extends PlannedRoleBase {
  readonly kind: 'existing';
  /** The role it chains into. */
  readonly chainsTo: string;
  /** Its permissions policy (assume the target role). */
  readonly permissionsPolicy: PolicyDocument;
}

/** A same-account role the plan creates for chaining (its current trust is null). */
export interface NewChainingRole extends PlannedRoleBase {
  readonly kind: 'new';
  /** The role it chains into. */
  readonly chainsTo: string;
  /** Its permissions policy (assume the target role). */
  readonly permissionsPolicy: PolicyDocument;
}

/**
 * A role whose trust the plan reads, rewrites or creates: `kind` is `existing` or `new` (a
 * same-account role the plan creates for chaining); a chaining role, new or adopted, names the role it
 * chains into (`chainsTo`) and its permissions policy, any other role has null for both.
 */
export type PlannedRole = ExistingPlannedRole | AdoptedChainingRole | NewChainingRole;

/** Which part of the migration a step belongs to, in the order they run. */
export type StepPhase = 'prepare' | 'transition' | 'associate' | 'cutover' | 'verify' | 'finalize';

/** What every step has. */
interface StepBase {
  readonly id: string;
  readonly description: string;
}

/** The cluster a step acts on. */
interface OnCluster {
  readonly cluster: string;
  readonly clusterArn: string;
}

/** The service account a step acts on. */
interface OnServiceAccount extends OnCluster {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Installs the eks-pod-identity-agent add-on on a cluster that lacks it. */
export interface InstallAgentStep extends StepBase, OnCluster {
  readonly phase: 'prepare';
  readonly action: 'install-agent';
  readonly addon: string;
}

/** Creates a same-account role that chains into `targetRoleArn`. */
export interface CreateRoleStep extends StepBase {
  readonly phase: 'prepare';
  readonly action: 'create-role';
  readonly roleArn: string;
  readonly targetRoleArn: string;
}

/** Writes a role's transition trust (Pod Identity admission added, every current statement kept). */
export interface UpdateTrustStep extends StepBase {
  readonly phase: 'transition';
  readonly action: 'update-trust';
  readonly roleArn: string;
}

/** Creates the Pod Identity association of one service account. */
export interface CreateAssociationStep extends StepBase, OnServiceAccount {
  readonly phase: 'associate';
  readonly action: 'create-association';
  readonly roleArn: string;
  /** The role EKS chains into from `roleArn`, when the annotated role is in another account. */
  readonly targetRoleArn?: string;
}

/** Gives an add-on the Pod Identity associations of its service accounts. */
export interface UpdateAddonStep extends StepBase, OnCluster {
  readonly phase: 'associate';
  readonly action: 'update-addon';
  readonly addon: string;
  /** Every association the add-on is to own. */
  readonly podIdentityAssociations: readonly { readonly namespace: string; readonly serviceAccount: string; readonly roleArn: string }[];
}

/** Removes the `eks.amazonaws.com/role-arn` annotation (naming `roleArn`) from a service account. */
export interface RemoveAnnotationStep extends StepBase, OnServiceAccount {
  readonly phase: 'cutover';
  readonly action: 'remove-annotation';
  readonly roleArn: string;
}

/** Restarts the workloads of a service account, so that new pods get Pod Identity. */
export interface RestartWorkloadsStep extends StepBase, OnServiceAccount {
  readonly phase: 'cutover';
  readonly action: 'restart-workloads';
  readonly workloads: readonly WorkloadRef[];
}

/** Checks that new pods on a cluster carry Pod Identity's credentials and not IRSA's. */
export interface VerifyStep extends StepBase, OnCluster {
  readonly phase: 'verify';
  readonly action: 'verify';
}

/** Writes a role's final trust (IRSA admission of the migrated identities removed). */
export interface FinalizeTrustStep extends StepBase {
  readonly phase: 'finalize';
  readonly action: 'finalize-trust';
  readonly roleArn: string;
}

/** One ordered operation of the migration, by `action`, each with exactly its own fields. */
export type Step =
  | InstallAgentStep
  | CreateRoleStep
  | UpdateTrustStep
  | CreateAssociationStep
  | UpdateAddonStep
  | RemoveAnnotationStep
  | RestartWorkloadsStep
  | VerifyStep
  | FinalizeTrustStep;

/** What a step does. */
export type StepAction = Step['action'];

/** Counts at a glance. */
export interface PlanSummary {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  readonly clusters: number;
  readonly clustersScanned: number;
  readonly serviceAccounts: number;
  readonly annotatedServiceAccounts: number;
  readonly roles: number;
  readonly rolesChanged: number;
  readonly rolesCreated: number;
  readonly identities: Readonly<Record<AssociationStatus, number>>;
  readonly findings: Readonly<Record<Severity, number>>;
  readonly allEquivalent: boolean;
}

/** An eks-pod-identity-agent add-on on a migrating cluster that a given Terraform state holds (one the plan needs and finds installed). */
export interface PlannedAgent {
  readonly cluster: string;
  readonly clusterArn: string;
  readonly accountId: string;
  readonly region: string;
  readonly owner: Owner;
}

/** The migration plan: the versioned JSON contract (`schemaVersion`). */
export interface Plan {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly summary: PlanSummary;
  readonly associations: readonly PlannedAssociation[];
  readonly roles: readonly PlannedRole[];
  readonly findings: readonly Finding[];
  readonly steps: readonly Step[];
  /** The installed agents a Terraform state holds, so that the configuration that installed one keeps it; absent when there are none. */
  readonly agents?: readonly PlannedAgent[];
  /** Root-module resources of the types `--format terraform` declares, in the given Terraform states; absent when there are none. */
  readonly terraformRoot?: readonly { readonly workspace: string; readonly address: string; readonly type: string }[];
}
