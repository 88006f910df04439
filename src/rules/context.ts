import { isEksIssuer, oidcProviderHostPath } from '../iam/arn.js';
import { actionMatches, type Decision } from '../iam/evaluate.js';
import type { ConditionClause, NormalizedStatement, PolicyDocument } from '../iam/policy.js';
import { WEB_IDENTITY_ACTION, type Identity } from '../iam/requests.js';
import type { Cluster, Inventory, ManagedPolicy, PodIdentityAssociation, Role, ServiceAccount } from '../model/inventory.js';
import { analysisOf, identityOf, type Analysis, type InventoryIndexes, type TrustOracle } from '../analysis/index.js';
import { group } from '../group.js';

/** An Allow statement of a role's trust that admits web identities of one EKS OIDC provider. */
export interface EksTrustStatement {
  readonly role: Role;
  readonly statement: NormalizedStatement;
  readonly providerArn: string;
  /** The provider's issuer host/path, e.g. `oidc.eks.eu-west-1.amazonaws.com/id/ABC`. */
  readonly hostPath: string;
}

/** The claim part of a condition key: `oidc.eks…/id/X:sub` → `{ issuer: 'oidc.eks…/id/X', claim: 'sub' }`. */
export function claimOf(key: string): { issuer: string; claim: string } | undefined {
  const colon = key.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const issuer = key.slice(0, colon);
  if (!/[./]/.test(issuer) || issuer.toLowerCase().startsWith('aws:')) return undefined;
  return { issuer, claim: key.slice(colon + 1).toLowerCase() };
}

/** Whether a clause is a positive test (not `StringNotEquals`, `Null`, …). */
export function isPositive(clause: ConditionClause): boolean {
  return !clause.operator.includes('Not') && clause.operator !== 'Null';
}

/** The longest stale period `irsa-role-stale` can judge: IAM reports `RoleLastUsed` for the trailing 400 days only. */
export const MAX_STALE_DAYS = 400;

/** The stale period of `irsa-role-stale` unless one is given. */
export const DEFAULT_STALE_DAYS = 90;

/** Settings of the rules that depend on more than the inventory. */
export interface RuleSettings {
  /** Days without use after which an IRSA role is stale (1 to {@link MAX_STALE_DAYS}); default {@link DEFAULT_STALE_DAYS}. */
  readonly staleDays?: number;
  /**
   * The time to measure from where the evidence records no collection time (a UTC time). Without it
   * such roles are not judged, so that the audit stays a pure function of its input; the report
   * passes its own `generatedAt` (the wall clock, unless `SOURCE_DATE_EPOCH` fixes it).
   */
  readonly now?: string;
}

/** Look-ups shared by every rule, built once per audit. */
export class RuleContext {
  readonly inventory: Inventory;
  readonly indexes: InventoryIndexes;
  readonly oracle: TrustOracle;
  readonly rolesByArn: ReadonlyMap<string, Role>;
  readonly clusters: readonly Cluster[];
  /** Accounts whose roles are in the bundle. */
  readonly scannedRoleAccounts: ReadonlySet<string>;
  /** Customer-managed policies by ARN. */
  readonly managedPolicies: ReadonlyMap<string, ManagedPolicy>;
  /** Days without use after which an IRSA role is stale. */
  readonly staleDays: number;
  /** The time to measure from where the evidence records no collection time, when given. */
  readonly now: string | undefined;
  private eksStatementsCache: EksTrustStatement[] | undefined;
  private eksStatementsByIssuer: Map<string, EksTrustStatement[]> | undefined;

  /** Over an analysis (sharing its tables and oracle with the plan made from it), or a new analysis of an inventory. */
  constructor(source: Inventory | Analysis, settings: RuleSettings = {}) {
    const { inventory, indexes, oracle } = analysisOf(source);
    this.inventory = inventory;
    this.indexes = indexes;
    this.oracle = oracle;
    this.rolesByArn = indexes.rolesByArn;
    this.clusters = indexes.clusters;
    this.scannedRoleAccounts = indexes.scannedRoleAccounts;
    this.managedPolicies = new Map(inventory.managedPolicies.map((m) => [m.arn, m]));
    this.staleDays = settings.staleDays ?? DEFAULT_STALE_DAYS;
    this.now = settings.now;
  }

  /** The document's statements as the oracle normalized them for its evaluations. */
  statements(doc: PolicyDocument): readonly NormalizedStatement[] {
    return this.oracle.normalizedStatements(doc);
  }

  /** Every Allow statement, of every role, that trusts an EKS OIDC provider for `sts:AssumeRoleWithWebIdentity`. */
  eksTrustStatements(): readonly EksTrustStatement[] {
    if (this.eksStatementsCache) return this.eksStatementsCache;
    const out: EksTrustStatement[] = [];
    for (const role of this.inventory.roles) {
      for (const statement of this.statements(role.trustPolicy)) {
        if (statement.effect !== 'Allow' || !statement.principal || !actionMatches(statement, WEB_IDENTITY_ACTION)) continue;
        for (const providerArn of statement.principal.byType.Federated ?? []) {
          const hostPath = oidcProviderHostPath(providerArn);
          if (hostPath && isEksIssuer(hostPath)) out.push({ role, statement, providerArn, hostPath });
        }
      }
    }
    return (this.eksStatementsCache = out);
  }

  /** The statements of {@link eksTrustStatements} that trust the provider of one issuer. */
  eksTrustStatementsOf(hostPath: string): readonly EksTrustStatement[] {
    this.eksStatementsByIssuer ??= group(this.eksTrustStatements(), (s) => s.hostPath);
    return this.eksStatementsByIssuer.get(hostPath) ?? [];
  }

  /** The clusters (any, scanned or not) whose issuer is `hostPath`. */
  clustersOfIssuer(hostPath: string): readonly Cluster[] {
    return this.indexes.clustersByIssuer.get(hostPath) ?? [];
  }

  clusterByArn(arn: string): Cluster | undefined {
    return this.indexes.clustersByArn.get(arn);
  }

  /** The identity of a service account (existing or not) in a cluster. */
  identity(cluster: Cluster, namespace: string, serviceAccount: string, audience?: string): Identity {
    return identityOf(cluster, namespace, serviceAccount, audience);
  }

  saIdentity(cluster: Cluster, sa: ServiceAccount): Identity {
    return this.identity(cluster, sa.namespace, sa.name, sa.audience);
  }

  /** Whether the role's trust admits the identity through IRSA (via the three-valued evaluator). */
  irsa(role: Role, identity: Identity): Decision {
    if (!identity.issuerHostPath) return { decision: 'no', unknownBecause: [] };
    return this.oracle.irsa(role.trustPolicy, role.accountId, identity);
  }

  /** Whether the role's trust admits EKS Pod Identity for the identity. */
  podIdentity(role: Role, identity: Identity, sessionTags = true): Decision {
    return this.oracle.podIdentity(role.trustPolicy, identity, sessionTags);
  }

  /** Every (cluster, service account) annotated with a role ARN, in scanned clusters. */
  annotatedServiceAccounts(): { cluster: Cluster; sa: ServiceAccount; roleArn: string }[] {
    return this.clusters.flatMap((cluster) =>
      (cluster.kubernetes?.serviceAccounts ?? []).flatMap((sa) => (sa.roleArn ? [{ cluster, sa, roleArn: sa.roleArn }] : [])),
    );
  }

  associations(): readonly PodIdentityAssociation[] {
    return this.inventory.associations;
  }

  /** ARNs of roles pods can reach: annotated on a service account, or used by an association (role or target). */
  reachableRoleArns(): ReadonlySet<string> {
    const arns = new Set<string>();
    for (const { roleArn } of this.annotatedServiceAccounts()) arns.add(roleArn);
    for (const a of this.inventory.associations) {
      arns.add(a.roleArn);
      if (a.targetRoleArn) arns.add(a.targetRoleArn);
    }
    for (const addon of this.inventory.addons) if (addon.serviceAccountRoleArn) arns.add(addon.serviceAccountRoleArn);
    return arns;
  }
}
