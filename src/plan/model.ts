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

/** A role whose trust the plan reads, rewrites or creates. */
export interface PlannedRole {
  readonly arn: string;
  readonly accountId: string;
  readonly name: string;
  readonly path: string;
  /** `existing`, or `new` for a same-account role the plan creates for chaining. */
  readonly kind: 'existing' | 'new';
  /** For a `new` role: the role it chains into. */
  readonly chainsTo: string | null;
  /** For a `new` role: its permissions policy (assume the target role). */
  readonly permissionsPolicy: PolicyDocument | null;
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
}

/** Which part of the migration a step belongs to, in the order they run. */
export type StepPhase = 'prepare' | 'transition' | 'associate' | 'cutover' | 'verify' | 'finalize';

/** One ordered operation of the migration. */
export interface Step {
  readonly id: string;
  readonly phase: StepPhase;
  readonly action:
    | 'install-agent'
    | 'create-role'
    | 'update-trust'
    | 'create-association'
    | 'update-addon'
    | 'remove-annotation'
    | 'restart-workloads'
    | 'verify'
    | 'finalize-trust';
  readonly description: string;
  readonly cluster?: string;
  readonly clusterArn?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly roleArn?: string;
  readonly targetRoleArn?: string;
  readonly addon?: string;
  readonly workloads?: readonly WorkloadRef[];
  /** For `update-addon`: every association the add-on is to own. */
  readonly podIdentityAssociations?: readonly { readonly namespace: string; readonly serviceAccount: string; readonly roleArn: string }[];
}

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

/** The migration plan: the versioned JSON contract (`schemaVersion`). */
export interface Plan {
  readonly schemaVersion: typeof PLAN_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly summary: PlanSummary;
  readonly associations: readonly PlannedAssociation[];
  readonly roles: readonly PlannedRole[];
  readonly findings: readonly Finding[];
  readonly steps: readonly Step[];
}
