import type { Finding, FindingGroup, Severity } from '../findings/model.js';
import type { Tri } from '../iam/evaluate.js';
import type { PlanSummary, Step, WorkloadRef } from '../plan/model.js';
import type { RolePolicy } from '../rules/admin.js';

/** The version of the JSON report contract; bumped on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

/** How pods reach a role: through IRSA, an EKS Pod Identity association, or both. */
export type Mechanism = 'IRSA' | 'Pod Identity' | 'both';

/**
 * One (namespace, service account, role) of a cluster.
 * `active`: pods can act as the role today through `mechanism`. `broken`: configured (annotation or
 * association) but the role's trust does not admit it, or the role does not exist. `unknown`: the
 * trust cannot be evaluated for it.
 */
export interface RoleMapping {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Whether the service account object exists in the scanned cluster. */
  readonly serviceAccountExists: boolean;
  /** The role pods act as (an association's target role when it chains). */
  readonly roleArn: string;
  readonly roleName: string;
  readonly roleAccountId: string;
  /** Whether the role is in the bundle. */
  readonly roleFound: boolean;
  /** For `active`, the mechanisms that work; otherwise the mechanisms configured. */
  readonly mechanism: Mechanism;
  readonly status: 'active' | 'broken' | 'unknown';
  /** IRSA admission: null when the service account is not annotated with this role. */
  readonly irsa: Tri | null;
  /** Pod Identity admission: null when no association hands this role to the service account. */
  readonly podIdentity: Tri | null;
  readonly associationId: string | null;
  /** The association's own role when it chains into `roleArn` (targetRoleArn). */
  readonly viaRoleArn: string | null;
  /** Why the mapping is broken or unknown. */
  readonly problems: readonly string[];
  readonly workloads: readonly WorkloadRef[];
  readonly podCount: number;
  readonly policies: readonly RolePolicy[];
  readonly admin: boolean;
  /**
   * The role's `RoleLastUsed` as collected: `date` (a UTC time) null when IAM recorded no use in its
   * tracking period (the trailing 400 days); the whole value null when the evidence does not carry it
   * (older bundles, `list-roles`) or the role is not in the bundle: last use unknown.
   */
  readonly roleLastUsed: { readonly date: string | null; readonly region: string | null } | null;
}

/** A role any service account of the cluster can assume through IRSA (no subject scoping). */
export interface OpenRole {
  readonly roleArn: string;
  readonly roleName: string;
  readonly admin: boolean;
}

/** One EKS cluster of the bundle, with its role-to-pod map. */
export interface ReportCluster {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly version: string | null;
  readonly platformVersion: string | null;
  readonly issuer: string | null;
  /** Whether the bundle has Kubernetes objects for it. */
  readonly scanned: boolean;
  readonly serviceAccounts: number;
  readonly pods: number;
  readonly mappings: readonly RoleMapping[];
  readonly openRoles: readonly OpenRole[];
}

/** The findings of one severity, by rule, with each rule's catalogue entry. */
export type ReportFindingGroup = FindingGroup;

/** One file of the evidence bundle and what it was read as. */
export interface ReportEvidenceFile {
  readonly path: string;
  readonly kind: string;
  readonly accountId: string | null;
  readonly region: string | null;
  readonly cluster: string | null;
  /** The file's modification time: when it was collected only if nothing changed it since. */
  readonly modifiedAt: string | null;
  /** When the collector read it, as the bundle's `collection.json` records; null when no collector recorded it. */
  readonly collectedAt: string | null;
}

/** The plan's counts, plus what the auditor's view adds. */
export interface ReportSummary extends Pick<
  PlanSummary,
  'accounts' | 'regions' | 'clusters' | 'clustersScanned' | 'serviceAccounts' | 'annotatedServiceAccounts' | 'roles' | 'identities'
> {
  /** Roles pods can act as today. */
  readonly rolesInUse: number;
  readonly mappings: Readonly<Record<RoleMapping['status'], number>>;
  /** Audit and planning findings together, by severity. */
  readonly findings: Readonly<Record<Severity, number>>;
}

/** The auditor's report: a pure function of the inventory and the plan. */
export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly summary: ReportSummary;
  readonly clusters: readonly ReportCluster[];
  readonly findings: readonly Finding[];
  readonly findingGroups: readonly ReportFindingGroup[];
  readonly plan: { readonly summary: PlanSummary; readonly steps: readonly Step[] };
  readonly evidence: {
    readonly files: readonly ReportEvidenceFile[];
    readonly ignored: readonly string[];
    readonly accounts: readonly string[];
    readonly regions: readonly string[];
    /** The earliest time of a file: the collector's time where it recorded one, else the file time. */
    readonly collectedFrom: string | null;
    /** The latest time of a file, taken as for `collectedFrom`. */
    readonly collectedTo: string | null;
    /** What those times are: all `collector`'s, all `file` times, or `mixed`; null without any. */
    readonly collectedTimes: 'collector' | 'file' | 'mixed' | null;
  };
}
