import { accountOf, oidcProviderArn, partitionOf } from './arn.js';
import { mapIn } from '../group.js';
import type { AssumeRequest, RequestPrincipal } from './evaluate.js';

/** A Kubernetes identity in one EKS cluster: what IRSA and Pod Identity both grant roles to. */
export interface Identity {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly accountId: string;
  readonly region: string;
  /** The cluster's OIDC issuer without `https://`. */
  readonly issuerHostPath: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The audience the IRSA token carries (`eks.amazonaws.com/audience`, default `sts.amazonaws.com`). */
  readonly audience: string;
}

export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';
export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const POD_IDENTITY_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'] as const;
export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

/** The session tags EKS Pod Identity sets (`pod-id-abac.html`); pod name and UID vary per pod. */
export const SESSION_TAGS = {
  clusterArn: 'eks-cluster-arn',
  clusterName: 'eks-cluster-name',
  namespace: 'kubernetes-namespace',
  serviceAccount: 'kubernetes-service-account',
  podName: 'kubernetes-pod-name',
  podUid: 'kubernetes-pod-uid',
} as const;

export function subjectOf(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

export function identityKey(id: Pick<Identity, 'clusterArn' | 'namespace' | 'serviceAccount'>): string {
  return `${id.clusterArn}|${id.namespace}|${id.serviceAccount}`;
}

/** A key like `oidc.eks…/id/X:sub` or `token.actions.githubusercontent.com:aud`: a claim of some OIDC issuer. */
export function isOidcClaimKey(lowerKey: string): boolean {
  const colon = lowerKey.lastIndexOf(':');
  return colon > 0 && /[./]/.test(lowerKey.slice(0, colon));
}

function newPrincipal(type: RequestPrincipal['type'], id: string, accountId?: string): RequestPrincipal {
  return accountId === undefined ? { type, id } : { type, id, accountId };
}

/** What every IRSA request through one provider shares: its principal and its claim keys. */
interface ProviderRequestParts {
  readonly principal: RequestPrincipal;
  readonly subKey: string;
  readonly audKey: string;
}

/**
 * The parts requests share: one principal object per principal (evaluators key their indexes on it)
 * and, per provider, its principal and claim keys. One instance serves one analysis; requests built
 * without one get parts of their own.
 */
export class RequestParts {
  private readonly principals = new Map<string, RequestPrincipal>();
  private readonly providers = new Map<string, Map<string, ProviderRequestParts>>();

  principal(type: RequestPrincipal['type'], id: string, accountId?: string): RequestPrincipal {
    const key = `${type}|${id}|${accountId ?? ''}`;
    let p = this.principals.get(key);
    if (!p) this.principals.set(key, (p = newPrincipal(type, id, accountId)));
    return p;
  }

  /** The provider is in the role's account and the cluster's partition (a trust cannot cross partitions). */
  provider(partition: string, roleAccountId: string, hostPath: string): ProviderRequestParts {
    const byHost = mapIn(this.providers, `${partition}|${roleAccountId}`);
    let parts = byHost.get(hostPath);
    if (!parts) {
      const lower = hostPath.toLowerCase();
      byHost.set(
        hostPath,
        (parts = {
          principal: this.principal('Federated', oidcProviderArn(roleAccountId, hostPath, partition)),
          subKey: `${lower}:sub`,
          audKey: `${lower}:aud`,
        }),
      );
    }
    return parts;
  }
}

const WEB_IDENTITY_ACTIONS: readonly string[] = Object.freeze([WEB_IDENTITY_ACTION]);

/** `AssumeRoleWithWebIdentity` by a pod of `identity`, through the OIDC provider of its issuer in `roleAccountId`. */
export function irsaRequest(identity: Identity, roleAccountId: string, shared = new RequestParts()): AssumeRequest {
  const parts = shared.provider(partitionOf(identity.clusterArn), roleAccountId, identity.issuerHostPath);
  const values = new Map<string, readonly string[]>();
  values.set(parts.subKey, [subjectOf(identity.namespace, identity.serviceAccount)]);
  values.set(parts.audKey, [identity.audience]);
  return { principal: parts.principal, actions: WEB_IDENTITY_ACTIONS, context: { values, knowsAbsent: isOidcClaimKey } };
}

const tagKey = (tag: string) => `aws:requesttag/${tag}`;
const principalTagKey = (tag: string) => `aws:principaltag/${tag}`;
/** The session tags that name the identity; pod name and UID vary per pod and stay unknown. */
const STABLE_TAGS = [
  ['clusterArn', SESSION_TAGS.clusterArn],
  ['clusterName', SESSION_TAGS.clusterName],
  ['namespace', SESSION_TAGS.namespace],
  ['serviceAccount', SESSION_TAGS.serviceAccount],
] as const;
const ALL_TAG_KEYS: readonly string[] = Object.freeze(Object.values(SESSION_TAGS));
const VARYING_TAGS = new Set([SESSION_TAGS.podName, SESSION_TAGS.podUid].flatMap((t) => [tagKey(t), principalTagKey(t)]));
const POD_IDENTITY_PRINCIPAL: RequestPrincipal = Object.freeze(newPrincipal('Service', POD_IDENTITY_SERVICE));
const POD_IDENTITY_ACTION_LIST: readonly string[] = Object.freeze([...POD_IDENTITY_ACTIONS]);
/** With `disableSessionTags` EKS passes no tags, so `sts:TagSession` is not asked for. */
const UNTAGGED_ACTION_LIST: readonly string[] = Object.freeze(['sts:AssumeRole']);

const knowsAbsentTagged = (k: string) => isOidcClaimKey(k) || k === 'sts:externalid' || (k.startsWith('aws:requesttag/') && !VARYING_TAGS.has(k));
const knowsAbsentUntagged = (k: string) => isOidcClaimKey(k) || k === 'sts:externalid' || k.startsWith('aws:requesttag/') || k === 'aws:tagkeys';

/** The identity's session tags, under the keys `keyOf` makes of them, into `values`. */
function putTags(values: Map<string, readonly string[]>, identity: Identity, keyOf: (tag: string) => string): void {
  for (const [field, tag] of STABLE_TAGS) values.set(keyOf(tag), [identity[field]]);
}

/** `AssumeRole` + `TagSession` by EKS Pod Identity for `identity`; with session tags disabled, `AssumeRole` alone and no tags. */
export function podIdentityRequest(identity: Identity, sessionTags = true): AssumeRequest {
  const values = new Map<string, readonly string[]>();
  if (sessionTags) {
    putTags(values, identity, tagKey);
    values.set('aws:tagkeys', ALL_TAG_KEYS);
  }
  return {
    principal: POD_IDENTITY_PRINCIPAL,
    actions: sessionTags ? POD_IDENTITY_ACTION_LIST : UNTAGGED_ACTION_LIST,
    context: { values, knowsAbsent: sessionTags ? knowsAbsentTagged : knowsAbsentUntagged },
  };
}

/** EKS's external ID for a target-role association: `region/account/cluster/namespace/serviceaccount`. */
export function externalIdOf(identity: Pick<Identity, 'region' | 'accountId' | 'clusterName' | 'namespace' | 'serviceAccount'>): string {
  return `${identity.region}/${identity.accountId}/${identity.clusterName}/${identity.namespace}/${identity.serviceAccount}`;
}

/** A chained request knows its own keys absent, and the tags of the calling session; other principal tags may be the source role's own IAM tags. */
const knowsAbsentChainTagged = (k: string) => isOidcClaimKey(k) || (k.startsWith('aws:requesttag/') && !VARYING_TAGS.has(k));
const knowsAbsentChainUntagged = (k: string) => isOidcClaimKey(k) || k.startsWith('aws:requesttag/') || k === 'aws:tagkeys';

/**
 * The chained `AssumeRole` EKS makes from the association's role into its target role
 * (`pod-id-assign-target-role.html`). Pod Identity's session tags are transitive, so the chained
 * request carries them again as request tags, and the calling session has them as principal tags:
 * the guide's target trust conditions on `aws:RequestTag/eks-cluster-arn`, `kubernetes-namespace` and
 * `kubernetes-service-account` beside `aws:PrincipalARN`. With `disableSessionTags` there are no tags,
 * only `sts:ExternalId`; the guide's trust for that case still allows `sts:TagSession` (in a statement
 * of its own), so both actions are asked for either way.
 */
export function chainRequest(identity: Identity, sourceRoleArn: string, sessionTags = true, shared = new RequestParts()): AssumeRequest {
  const sourceAccount = accountOf(sourceRoleArn) ?? identity.accountId;
  const values = new Map<string, readonly string[]>([
    ['sts:externalid', [externalIdOf(identity)]],
    ['aws:principalarn', [sourceRoleArn]],
    ['aws:principalaccount', [sourceAccount]],
  ]);
  if (sessionTags) {
    putTags(values, identity, tagKey);
    putTags(values, identity, principalTagKey);
    values.set('aws:tagkeys', ALL_TAG_KEYS);
  }
  return {
    principal: shared.principal('AWS', sourceRoleArn, sourceAccount),
    actions: POD_IDENTITY_ACTION_LIST,
    context: { values, knowsAbsent: sessionTags ? knowsAbsentChainTagged : knowsAbsentChainUntagged },
  };
}
