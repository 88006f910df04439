import { parseArn } from '../iam/arn.js';
import { asList, type PolicyDocument, type RawStatement } from '../iam/policy.js';
import { POD_IDENTITY_SERVICE, SESSION_TAGS, identityKey, type Identity } from '../iam/requests.js';

const FRESH = 'irsa2pi-neighbour';
const CLUSTER_ARN = /^arn:(aws[a-z-]*):eks:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9_-]+)$/;
const NAMESPACE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

type Dimension = 'clusterArn' | 'clusterName' | 'namespace' | 'serviceAccount';

const DIMENSIONS_OF_KEY: ReadonlyMap<string, readonly Dimension[]> = new Map(
  (
    [
      [SESSION_TAGS.clusterArn, ['clusterArn']],
      [SESSION_TAGS.clusterName, ['clusterName']],
      [SESSION_TAGS.namespace, ['namespace']],
      [SESSION_TAGS.serviceAccount, ['serviceAccount']],
    ] as const
  ).flatMap(([tag, dims]) => [[`aws:requesttag/${tag}`, dims] as const, [`aws:principaltag/${tag}`, dims] as const]),
);
const EVERY_DIMENSION: readonly Dimension[] = ['clusterArn', 'clusterName', 'namespace', 'serviceAccount'];

/** Whether EKS Pod Identity can be the principal a statement applies to. */
function appliesToPodIdentity(st: RawStatement): boolean {
  if (st.NotPrincipal !== undefined || st.Principal === '*') return true;
  if (!st.Principal) return false;
  return asList((st.Principal as Record<string, string | readonly string[]>).Service ?? []).some((s) => s === '*' || s.toLowerCase() === POD_IDENTITY_SERVICE);
}

/** A value as a request could carry it: wildcards filled both ways, lower-cased for the case-blind operators. */
function instances(value: string): string[] {
  const filled = value.includes('*') || value.includes('?') ? [value.replace(/\*/g, '').replace(/\?/g, '0'), value.replace(/\*/g, 'irsa2pi0').replace(/\?/g, '0')] : [value];
  return [...new Set(filled.flatMap((v) => [v, v.toLowerCase()]))];
}

/** The values the trust compares, per request attribute; a key that is not a session tag may hold any of them. */
function namedValues(doc: PolicyDocument): Map<Dimension, Set<string>> {
  const out = new Map<Dimension, Set<string>>(EVERY_DIMENSION.map((d) => [d, new Set<string>()]));
  for (const st of asList(doc.Statement)) {
    if (!appliesToPodIdentity(st)) continue;
    for (const tests of Object.values(st.Condition ?? {})) {
      for (const [key, value] of Object.entries(tests ?? {})) {
        const dims = DIMENSIONS_OF_KEY.get(key.toLowerCase()) ?? EVERY_DIMENSION;
        for (const v of asList(value as string | readonly string[])) for (const written of instances(String(v))) for (const d of dims) out.get(d)!.add(written);
      }
    }
  }
  return out;
}

interface Place {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** A cluster a Pod Identity request can come from: its ARN, name, region and account. */
type ClusterFacts = Pick<Identity, 'clusterArn' | 'clusterName' | 'region' | 'accountId' | 'issuerHostPath'>;

function clusterAt(place: Place, name: string): ClusterFacts {
  return { clusterArn: `arn:${place.partition}:eks:${place.region}:${place.accountId}:cluster/${name}`, clusterName: name, region: place.region, accountId: place.accountId, issuerHostPath: '' };
}

/** The clusters to try: the allowed identities' own, every cluster ARN the trust names, and each name it holds at the allowed clusters' places, plus one the trust does not name. */
function candidateClusters(allowed: readonly Identity[], values: Map<Dimension, Set<string>>): ClusterFacts[] {
  const out = new Map<string, ClusterFacts>();
  const places = new Map<string, Place>();
  for (const id of allowed) {
    out.set(id.clusterArn, id);
    const partition = parseArn(id.clusterArn)?.partition || 'aws';
    places.set(`${partition}|${id.region}|${id.accountId}`, { partition, region: id.region, accountId: id.accountId });
  }
  for (const value of [...values.get('clusterArn')!, ...values.get('clusterName')!]) {
    const m = CLUSTER_ARN.exec(value);
    if (m) {
      const place = { partition: m[1]!, region: m[2]!, accountId: m[3]! };
      out.set(value, clusterAt(place, m[4]!));
      places.set(`${place.partition}|${place.region}|${place.accountId}`, place);
    }
  }
  const names = [...values.get('clusterName')!, ...values.get('clusterArn')!].filter((n) => CLUSTER_NAME.test(n));
  for (const place of places.values()) {
    for (const name of [...names, FRESH]) {
      const c = clusterAt(place, name);
      if (!out.has(c.clusterArn)) out.set(c.clusterArn, c);
    }
  }
  return [...out.values()];
}

/**
 * Pod Identity requests that tell apart every way `doc` can treat a request: each cluster, namespace and
 * service account the trust names (scanned or not, wildcards filled in), the allowed identities' own
 * values and ones it does not name, in every combination. Two requests whose cluster ARN, cluster name,
 * namespace and service account each equal or match the same of the trust's values are treated alike,
 * so an identity admitted by `doc` outside `allowed` has a stand-in here. Undefined when the
 * combinations exceed `limit`: what the trust admits cannot then be proven this way.
 */
export function podIdentityWitnesses(doc: PolicyDocument, allowed: readonly Identity[], limit = 20_000): Identity[] | undefined {
  const values = namedValues(doc);
  const clusters = candidateClusters(allowed, values);
  const namespaces = [...new Set([...allowed.map((id) => id.namespace), ...values.get('namespace')!, FRESH])].filter((n) => NAMESPACE.test(n));
  const serviceAccounts = [...new Set([...allowed.map((id) => id.serviceAccount), ...values.get('serviceAccount')!, FRESH])].filter((n) => SERVICE_ACCOUNT.test(n));
  if (clusters.length * namespaces.length * serviceAccounts.length > limit) return undefined;
  const out = new Map<string, Identity>();
  for (const c of clusters) {
    for (const namespace of namespaces) {
      for (const serviceAccount of serviceAccounts) {
        const id: Identity = { ...c, namespace, serviceAccount, audience: 'sts.amazonaws.com' };
        out.set(identityKey(id), id);
      }
    }
  }
  return [...out.values()];
}
