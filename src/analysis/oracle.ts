import { evaluateTrust, indexStatements, type AssumeRequest, type Decision, type IndexedStatements } from '../iam/evaluate.js';
import { normalizeSharing, type NormalizedStatement, type PolicyDocument, type RawStatement, type StatementParts } from '../iam/policy.js';
import { chainRequest, irsaRequest, podIdentityRequest, RequestParts, type Identity } from '../iam/requests.js';
import type { InventoryIndexes } from './indexes.js';

const NO: Decision = { decision: 'no', unknownBecause: [] };

/**
 * Answers "does this trust admit this identity?" for IRSA, Pod Identity and chaining, caching
 * normalization and request parts for as long as it lives (one analysis).
 */
export class TrustOracle {
  private readonly normalized = new WeakMap<PolicyDocument, IndexedStatements>();
  /** A rewritten trust shares most statement objects with the current one: each is normalized once. */
  private readonly statementParts = new WeakMap<RawStatement, StatementParts>();
  /**
   * The last request built per mechanism: callers ask about one identity in every phase before moving
   * on, so one slot answers nearly every repeat without keeping a request per identity alive.
   */
  private lastIrsa: { identity: Identity; roleAccountId: string; request: AssumeRequest } | undefined;
  private lastPodIdentity: { identity: Identity; sessionTags: boolean; request: AssumeRequest } | undefined;
  private readonly requestParts = new RequestParts();

  constructor(private readonly indexes: Pick<InventoryIndexes, 'providersByAccount'>) {}

  private statements(doc: PolicyDocument): IndexedStatements {
    let st = this.normalized.get(doc);
    if (!st) this.normalized.set(doc, (st = indexStatements(normalizeSharing(doc, this.statementParts))));
    return st;
  }

  /** The document's statements, normalized once for every question about it. */
  normalizedStatements(doc: PolicyDocument): readonly NormalizedStatement[] {
    return this.statements(doc).all;
  }

  /**
   * Drops the index kept for `doc`, for documents that are not evaluated again; the normalized parts of
   * its statements are kept while the statement objects live.
   */
  forget(doc: PolicyDocument): void {
    this.normalized.delete(doc);
  }

  /** Whether the OIDC provider for the identity's issuer can exist in the role's account. */
  providerExists(roleAccountId: string, identity: Identity): boolean {
    const known = this.indexes.providersByAccount.get(roleAccountId);
    return !known || known.has(identity.issuerHostPath);
  }

  irsa(doc: PolicyDocument | null, roleAccountId: string, identity: Identity): Decision {
    if (!doc || !this.providerExists(roleAccountId, identity)) return NO;
    let last = this.lastIrsa;
    if (last?.identity !== identity || last.roleAccountId !== roleAccountId)
      this.lastIrsa = last = { identity, roleAccountId, request: irsaRequest(identity, roleAccountId, this.requestParts) };
    return evaluateTrust(this.statements(doc), last.request);
  }

  podIdentity(doc: PolicyDocument | null, identity: Identity, sessionTags = true): Decision {
    if (!doc) return NO;
    let last = this.lastPodIdentity;
    if (last?.identity !== identity || last.sessionTags !== sessionTags)
      this.lastPodIdentity = last = { identity, sessionTags, request: podIdentityRequest(identity, sessionTags) };
    return evaluateTrust(this.statements(doc), last.request);
  }

  /** Whether the target role's trust admits the chained request from `sourceRoleArn` (session tags as the association has them). */
  chain(targetDoc: PolicyDocument | null, sourceRoleArn: string, identity: Identity, sessionTags = true): Decision {
    if (!targetDoc) return NO;
    return evaluateTrust(this.statements(targetDoc), chainRequest(identity, sourceRoleArn, sessionTags, this.requestParts));
  }
}
