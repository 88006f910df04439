import { isDeepStrictEqual } from 'node:util';
import { accountOf, accountRootArn, parseArn, roleNameAndPath } from '../iam/arn.js';
import { evaluateTrust, type AssumeRequest, type RequestPrincipal } from '../iam/evaluate.js';
import { asList, type PolicyDocument, type RawStatement } from '../iam/policy.js';
import { identityKey, POD_IDENTITY_ACTIONS, POD_IDENTITY_SERVICE, SESSION_TAGS, type Identity } from '../iam/requests.js';
import type { Role } from '../model/inventory.js';
import { identityOf, type InventoryIndexes } from '../analysis/indexes.js';
import { UniverseCache, universeFor } from './equivalence.js';
import { displayIdentity } from './identities.js';
import type { TrustOracle } from '../analysis/oracle.js';
import { podIdentityStatements, sidsOf, withStatements } from './trust-rewrite.js';
import { present } from '../errors.js';

/** The inline policy that gives a chaining role its one permission. */
export const CHAIN_POLICY_NAME = 'irsa2pi-chain';

const NEIGHBOUR = 'irsa2pi-neighbour';
const STS_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'] as const;

/** The permissions policy of the chaining role into `target`: assume it and tag the session. */
export function chainPermissions(target: Role): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'AssumeTargetRole', Effect: 'Allow', Action: [...POD_IDENTITY_ACTIONS], Resource: target.arn }],
  };
}

/** A statement reduced to what it grants: Sid dropped, action names lower-cased, lists sorted. */
function grantOf(st: RawStatement): unknown {
  const rest = { ...st };
  delete rest.Sid;
  const sorted = (v: unknown, lower: boolean) =>
    v === undefined ? undefined : [...new Set(asList(v as string | string[]).map((x) => (lower ? x.toLowerCase() : x)))].sort();
  return {
    ...rest,
    Action: sorted(rest.Action, true),
    NotAction: sorted(rest.NotAction, true),
    Resource: sorted(rest.Resource, false),
    NotResource: sorted(rest.NotResource, false),
  };
}

function sameGrant(a: PolicyDocument, b: PolicyDocument): boolean {
  const canonical = (d: PolicyDocument) =>
    asList(d.Statement)
      .map(grantOf)
      .map((g) => JSON.stringify(g))
      .sort();
  return isDeepStrictEqual(canonical(a), canonical(b));
}

/**
 * Principals other than EKS Pod Identity that could ask to assume a role with this trust: every AWS,
 * service and federated principal it names, and stand-ins it does not name (a role of another
 * account, a role and the root of its own account, a service, an identity provider) for `*` and
 * `NotPrincipal`.
 */
export function outsidePrincipals(doc: PolicyDocument, roleArn: string): RequestPrincipal[] {
  const partition = parseArn(roleArn)?.partition || 'aws';
  const account = accountOf(roleArn) ?? '000000000000';
  const foreign = account === '999999999999' ? '999999999998' : '999999999999';
  const out = new Map<string, RequestPrincipal>();
  const add = (p: RequestPrincipal) => out.set(`${p.type}|${p.id}`, p);
  const aws = (value: string) => {
    if (/^\d{12}$/.test(value)) return add({ type: 'AWS', id: accountRootArn(value, partition), accountId: value });
    const accountId = accountOf(value);
    if (accountId) add({ type: 'AWS', id: value, accountId });
  };
  for (const st of asList(doc.Statement)) {
    for (const principal of [st.Principal, st.NotPrincipal]) {
      if (!principal || principal === '*') continue;
      for (const [type, values] of Object.entries(principal)) {
        for (const value of asList(values)) {
          if (value === '*') continue;
          if (type === 'AWS') aws(value);
          else if (type === 'Service' && value.toLowerCase() !== POD_IDENTITY_SERVICE) add({ type: 'Service', id: value });
          else if (type === 'Federated') add({ type: 'Federated', id: value });
        }
      }
    }
  }
  aws(`arn:${partition}:iam::${foreign}:role/${NEIGHBOUR}`);
  aws(`arn:${partition}:iam::${account}:role/${NEIGHBOUR}`);
  aws(account);
  add({ type: 'Service', id: 'ec2.amazonaws.com' });
  add({ type: 'Federated', id: `arn:${partition}:iam::${account}:oidc-provider/${NEIGHBOUR}.example` });
  return [...out.values()];
}

/**
 * The principals other than EKS Pod Identity that `doc` may admit, as `principal (action)`. The caller
 * of `AssumeRole` chooses its external ID, session tags and source identity, so every condition key is
 * taken as unknown but the principal's own ARN and account: a statement that can apply counts as admitting.
 */
export function outsidersAdmitted(oracle: TrustOracle, doc: PolicyDocument, roleArn: string): string[] {
  const statements = oracle.normalizedStatements(doc);
  const admitted: string[] = [];
  for (const principal of outsidePrincipals(doc, roleArn)) {
    const values = new Map<string, readonly string[]>(
      principal.type === 'AWS'
        ? [
            ['aws:principalarn', [principal.id]],
            ['aws:principalaccount', [principal.accountId ?? '']],
          ]
        : [],
    );
    for (const action of STS_ACTIONS) {
      const request: AssumeRequest = { principal, actions: [action], context: { values, knowsAbsent: () => false } };
      if (evaluateTrust(statements, request).decision !== 'no') admitted.push(`${principal.type} ${principal.id} (${action})`);
    }
  }
  return admitted;
}

const CLUSTER_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]+$/;
const TAG_KEYS = [
  `aws:requesttag/${SESSION_TAGS.clusterArn}`,
  `aws:requesttag/${SESSION_TAGS.namespace}`,
  `aws:requesttag/${SESSION_TAGS.serviceAccount}`,
] as const;
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Condition']);

/** One (cluster ARN, namespace, service account) a trust admits through Pod Identity. */
type Grant = Pick<Identity, 'clusterArn' | 'namespace' | 'serviceAccount'>;

/** A condition value list of plain strings (no policy variables), or undefined. */
function plainStrings(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0 && !v.includes('${'))) return undefined;
  return list as string[];
}

/**
 * What a trust admits, when every statement has the shape irsa2pi writes for a chaining role: Allow,
 * only EKS Pod Identity as principal, `sts:AssumeRole` (and `sts:TagSession`), and one `StringEquals`
 * on exactly the cluster ARN, namespace and service-account session tags. Such a trust admits the
 * product of each statement's three lists and nothing else, so what it admits is read off it rather
 * than sampled. Otherwise, why not.
 */
export function exactGrants(doc: PolicyDocument): Grant[] | string {
  const grants: Grant[] = [];
  const statements = asList(doc.Statement);
  for (const [i, st] of statements.entries()) {
    const at = `statement ${i + 1} of its trust`;
    const extra = Object.keys(st).find((k) => !STATEMENT_KEYS.has(k));
    if (extra) return `${at} has ${extra}`;
    if (st.Effect !== 'Allow') return `${at} is not Allow`;
    const principal = st.Principal;
    if (
      !principal ||
      principal === '*' ||
      Object.keys(principal).length !== 1 ||
      !asList((principal as Record<string, string | string[]>).Service ?? []).every((p) => p === POD_IDENTITY_SERVICE) ||
      asList((principal as Record<string, string | string[]>).Service ?? []).length === 0
    ) {
      return `${at} admits ${JSON.stringify(principal ?? null)}, a principal other than ${POD_IDENTITY_SERVICE}`;
    }
    const actions = asList(st.Action ?? []).map((a) => a.toLowerCase());
    if (!actions.includes('sts:assumerole') || !actions.every((a) => a === 'sts:assumerole' || a === 'sts:tagsession'))
      return `${at} allows ${asList(st.Action ?? []).join(', ') || 'no action'}, not sts:AssumeRole and sts:TagSession`;
    const operators = Object.entries(st.Condition ?? {});
    const [only] = operators;
    if (operators.length !== 1 || only?.[0] !== 'StringEquals') return `${at} has conditions other than one StringEquals`;
    const written = Object.entries(only[1]);
    const tests = new Map(written.map(([k, v]) => [k.toLowerCase(), v] as const));
    if (written.length !== TAG_KEYS.length || tests.size !== TAG_KEYS.length || !TAG_KEYS.every((k) => tests.has(k)))
      return `${at} does not test exactly the ${SESSION_TAGS.clusterArn}, ${SESSION_TAGS.namespace} and ${SESSION_TAGS.serviceAccount} session tags`;
    const [clusters, namespaces, serviceAccounts] = TAG_KEYS.map((k) => plainStrings(tests.get(k)));
    if (!clusters || !namespaces || !serviceAccounts) return `${at} tests a session tag against something other than plain strings`;
    const odd = clusters.find((c) => !CLUSTER_ARN.test(c));
    if (odd) return `${at} names ${odd}, which is not an EKS cluster ARN`;
    if (clusters.length * namespaces.length * serviceAccounts.length > 100_000) return `${at} names more identities than any plan chains`;
    for (const clusterArn of clusters)
      for (const namespace of namespaces) for (const serviceAccount of serviceAccounts) grants.push({ clusterArn, namespace, serviceAccount });
  }
  return grants;
}

/**
 * Identities that already hold an association with `chainArn` into `target`, and that the target's trust
 * already admits through `chainArn` with their external ID: what an earlier, completed migration
 * leaves. An association alone proves nothing (whoever squats the name can create one), so an
 * identity it names that the target does not yet admit that way is not taken as chained.
 */
function associatedThrough(ctx: InventoryIndexes, oracle: TrustOracle, chainArn: string, target: Role): Identity[] {
  const outside = new Map((ctx.inventory.outOfScope?.clusters ?? []).map((c) => [c.arn, c]));
  return [...ctx.inventory.associations, ...(ctx.inventory.outOfScope?.associations ?? [])].flatMap((a) => {
    if (a.roleArn !== chainArn || a.targetRoleArn !== target.arn) return [];
    const cluster = ctx.clustersByArn.get(a.clusterArn) ?? outside.get(a.clusterArn);
    if (!cluster) return [];
    const id = identityOf(cluster, a.namespace, a.serviceAccount);
    return oracle.chain(target.trustPolicy, chainArn, id, !a.disableSessionTags).decision === 'yes' ? [id] : [];
  });
}

/**
 * Why the role already at the chaining role's name cannot be adopted, or undefined when there is none
 * or it is exactly what the plan would create. Role names are unique in an account without regard to
 * case or path, so a role of that name at another path takes the name. An adoptable role has no
 * permissions but {@link CHAIN_POLICY_NAME}, granting what the plan grants; and its trust, with the
 * plan's statements added, admits through Pod Identity exactly what a created role's would (the
 * identities chaining through it, and those already associated with it into the same target), with or
 * without session tags, and no other principal at all.
 */
export function adoptionProblem(
  ctx: InventoryIndexes,
  oracle: TrustOracle,
  chainArn: string,
  target: Role,
  identities: readonly Identity[],
  universes: UniverseCache,
): AdoptionProblem | undefined {
  const why = checkAdoption(ctx, oracle, chainArn, target, identities, universes);
  if (why === undefined) return undefined;
  return { notScanned: !ctx.rolesByArn.has(chainArn) && !ctx.scannedRoleAccounts.has(accountOf(chainArn) ?? ''), message: why };
}

/** Why a chaining role cannot be created or adopted. */
export interface AdoptionProblem {
  /** True when the chaining role's account has no roles in the evidence: whether the name is taken is unknown. */
  readonly notScanned: boolean;
  readonly message: string;
}

function checkAdoption(
  ctx: InventoryIndexes,
  oracle: TrustOracle,
  chainArn: string,
  target: Role,
  identities: readonly Identity[],
  universes: UniverseCache,
): string | undefined {
  const np = present(roleNameAndPath(chainArn), `the role name of ${chainArn}`);
  const account = accountOf(chainArn);
  const sameName = ctx.inventory.roles.filter((r) => r.accountId === account && r.name.toLowerCase() === np.name.toLowerCase() && r.arn !== chainArn);
  const [taken] = sameName;
  if (taken)
    return `role name ${np.name} is taken in account ${account} by ${taken.arn} (IAM role names are unique in an account, whatever their path or case)`;
  const existing = ctx.rolesByArn.get(chainArn);
  if (!existing)
    return account && ctx.scannedRoleAccounts.has(account)
      ? undefined
      : `account ${account}'s roles are not in the evidence, so whether a role named ${np.name} exists there, and what it trusts, cannot be told`;

  if (existing.permissionsBoundaryArn) return `${chainArn} exists with a permissions boundary (${existing.permissionsBoundaryArn}) the plan would not set`;
  if (existing.attachedPolicies.length)
    return `${chainArn} exists with attached policies (${existing.attachedPolicies.map((p) => p.arn).join(', ')}), beyond the one permission the plan grants`;
  const others = existing.inlinePolicies.filter((p) => p.name !== CHAIN_POLICY_NAME);
  if (others.length) return `${chainArn} exists with inline policies ${others.map((p) => p.name).join(', ')}, beyond the one permission the plan grants`;
  if (existing.inlinePolicies.length > 1)
    return `${chainArn} exists with ${existing.inlinePolicies.length} inline policies named ${CHAIN_POLICY_NAME} in the evidence, where IAM holds one`;
  const granted = existing.inlinePolicies[0];
  if (!granted) return `${chainArn} exists without its ${CHAIN_POLICY_NAME} policy in the evidence, so its permissions cannot be proven`;
  if (!sameGrant(granted.document, chainPermissions(target)))
    return `${chainArn} exists with a ${CHAIN_POLICY_NAME} policy that is not the planned one (sts:AssumeRole and sts:TagSession on ${target.arn})`;

  const current = existing.trustPolicy;
  const allowed = new Map([...identities, ...associatedThrough(ctx, oracle, chainArn, target)].map((id) => [identityKey(id), id]));
  const shape = exactGrants(current);
  if (typeof shape === 'string')
    return `${chainArn} exists and ${shape}; irsa2pi adopts only a trust of the statements it writes itself (Pod Identity, with StringEquals on exact cluster ARNs, namespaces and service accounts)`;
  const beyond = shape.find((g) => !allowed.has(identityKey(g)));
  if (beyond)
    return `${chainArn} exists and its trust admits ${beyond.clusterArn} ${beyond.namespace}/${beyond.serviceAccount} through Pod Identity, which the plan does not chain into ${target.arn}`;
  const created: PolicyDocument = { Version: '2012-10-17', Statement: podIdentityStatements([...allowed.values()], new Set()) };
  const adopted = withStatements(
    current,
    podIdentityStatements(
      identities.filter((id) => oracle.podIdentity(current, id).decision !== 'yes'),
      sidsOf(current),
    ),
  );
  for (const id of universeFor(ctx, [current, adopted, created], [...allowed.values()], universes)) {
    const want = oracle.podIdentity(created, id).decision;
    const got = oracle.podIdentity(adopted, id).decision;
    if (got !== want)
      return `${chainArn} exists and its trust ${got === 'unknown' ? 'cannot be evaluated' : got === 'yes' ? 'admits' : 'refuses'} ${displayIdentity(id)} through Pod Identity, where the role the plan would create ${want === 'yes' ? 'admits' : 'refuses'} it`;
    if (oracle.podIdentity(adopted, id, false).decision !== 'no')
      return `${chainArn} exists and its trust admits ${displayIdentity(id)} through Pod Identity without session tags`;
  }
  if (adopted !== current) oracle.forget(adopted);
  oracle.forget(created);
  return undefined;
}
