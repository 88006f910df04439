import { evaluateTrust, indexStatements, type AssumeRequest, type Decision, type IndexedStatements, type Tri } from '../iam/evaluate.js';
import { normalizeStatements, type PolicyDocument } from '../iam/policy.js';
import { chainRequest, irsaRequest, podIdentityRequest, type Identity } from '../iam/requests.js';
import type { PlanContext } from './context.js';

const NO: Decision = { decision: 'no', unknownBecause: [] };

/** Answers "does this trust admit this identity?" for IRSA, Pod Identity and chaining, caching normalization. */
export class TrustOracle {
  private readonly normalized = new WeakMap<PolicyDocument, IndexedStatements>();
  private readonly requests = new WeakMap<Identity, Map<string, AssumeRequest>>();

  constructor(private readonly ctx: PlanContext) {}

  private statements(doc: PolicyDocument): IndexedStatements {
    let st = this.normalized.get(doc);
    if (!st) this.normalized.set(doc, (st = indexStatements(normalizeStatements(doc))));
    return st;
  }

  /** Whether the OIDC provider for the identity's issuer can exist in the role's account. */
  providerExists(roleAccountId: string, identity: Identity): boolean {
    const known = this.ctx.providersByAccount.get(roleAccountId);
    return !known || known.has(identity.issuerHostPath);
  }

  private request(kind: string, identity: Identity, build: () => AssumeRequest): AssumeRequest {
    let byKind = this.requests.get(identity);
    if (!byKind) this.requests.set(identity, (byKind = new Map()));
    let req = byKind.get(kind);
    if (!req) byKind.set(kind, (req = build()));
    return req;
  }

  irsa(doc: PolicyDocument | null, roleAccountId: string, identity: Identity): Decision {
    if (!doc || !this.providerExists(roleAccountId, identity)) return NO;
    return evaluateTrust(this.statements(doc), this.request(`irsa:${roleAccountId}`, identity, () => irsaRequest(identity, roleAccountId)));
  }

  podIdentity(doc: PolicyDocument | null, identity: Identity, sessionTags = true): Decision {
    if (!doc) return NO;
    return evaluateTrust(this.statements(doc), this.request(`pi:${sessionTags}`, identity, () => podIdentityRequest(identity, sessionTags)));
  }

  chain(targetDoc: PolicyDocument | null, sourceRoleArn: string, identity: Identity): Decision {
    if (!targetDoc) return NO;
    return evaluateTrust(this.statements(targetDoc), chainRequest(identity, sourceRoleArn));
  }
}

export function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'yes';
}
