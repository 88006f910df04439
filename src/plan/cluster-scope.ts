import type { TrustOracle } from '../analysis/oracle.js';
import { identityOf } from '../analysis/indexes.js';
import type { NormalizedStatement, PolicyDocument, RawStatement } from '../iam/policy.js';
import type { Identity } from '../iam/requests.js';
import type { Cluster } from '../model/inventory.js';
import { exactlyClusterScoped, fencedToClusters } from '../iam/cluster-scoped.js';

/** Allow statements a Pod Identity admission leans on that also admit its namespace and service account in other clusters. */
export interface BroadAdmission {
  readonly statements: readonly NormalizedStatement[];
}

/**
 * Tells a Pod Identity admission through a statement scoped to the identity's cluster from one that
 * holds only through statements admitting its namespace and service account in every cluster of the
 * account (no cluster condition: the AWS guide's own namespace-and-service-account example, or an
 * unconditioned statement). One instance serves one plan.
 */
export class ClusterScope {
  private readonly alone = new WeakMap<RawStatement, PolicyDocument>();

  constructor(private readonly oracle: TrustOracle) {}

  private single(st: NormalizedStatement): PolicyDocument {
    let doc = this.alone.get(st.raw);
    if (!doc) this.alone.set(st.raw, (doc = { Version: '2012-10-17', Statement: [st.raw] }));
    return doc;
  }

  /**
   * The statements `doc` admits the identity through that are not scoped to clusters named one by one
   * ({@link exactlyClusterScoped}): empty when `doc` does not admit it, still admits it without them,
   * or fences Pod Identity to clusters named one by one ({@link fencedToClusters}).
   * A statement the evaluator cannot decide for the identity counts as admitting it.
   */
  reliedOn(doc: PolicyDocument | null, identity: Identity): BroadAdmission {
    if (!doc || this.oracle.podIdentity(doc, identity).decision !== 'yes') return { statements: [] };
    const statements = this.oracle.normalizedStatements(doc);
    if (fencedToClusters(statements)) return { statements: [] };
    const broad = statements.filter(
      (st) => st.effect === 'Allow' && !exactlyClusterScoped(st) && this.oracle.podIdentity(this.single(st), identity).decision !== 'no',
    );
    if (!broad.length) return { statements: [] };
    const rest = new Set(broad.map((st) => st.raw));
    const narrowed: PolicyDocument = { ...doc, Statement: statements.filter((st) => !rest.has(st.raw)).map((st) => st.raw) };
    const still = this.oracle.podIdentity(narrowed, identity).decision === 'yes';
    this.oracle.forget(narrowed);
    return { statements: still ? [] : broad };
  }

  /** The clusters among `clusters` (of the identity's account) where `statement` alone admits the identity's namespace and service account. */
  clustersAdmitted(statement: NormalizedStatement, identity: Identity, clusters: readonly Cluster[]): readonly Cluster[] {
    return clusters.filter(
      (c) =>
        c.accountId === identity.accountId &&
        this.oracle.podIdentity(this.single(statement), identityOf(c, identity.namespace, identity.serviceAccount)).decision === 'yes',
    );
  }
}
