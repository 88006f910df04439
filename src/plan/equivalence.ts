import { isDeepStrictEqual } from 'node:util';
import type { Tri } from '../iam/evaluate.js';
import { asList, type PolicyDocument, type RawStatement } from '../iam/policy.js';
import { DEFAULT_AUDIENCE, externalIdOf, subjectOf, type Identity } from '../iam/requests.js';
import type { Cluster, ServiceAccount } from '../model/inventory.js';
import { compileGlob, hasWildcard, type Glob } from '../iam/glob.js';
import { dnsSuffixOf, partitionOf } from '../iam/arn.js';
import { identityOf, type InventoryIndexes } from '../analysis/indexes.js';
import type { EquivalenceDifference, TrustPhases } from './model.js';
import { irsaProviders } from './trust-rewrite.js';
import { displayIdentity } from './identities.js';
import { group, mapIn, push, pushIn } from '../group.js';
import { present } from '../errors.js';

/** How to ask whether a trust document admits an identity, per mechanism. */
export interface AdmissionProbe {
  readonly irsa: (doc: PolicyDocument | null, identity: Identity) => Tri;
  readonly podIdentity: (phase: keyof TrustPhases, doc: PolicyDocument | null, identity: Identity) => Tri;
  /**
   * Whether two phases admit every identity alike through a mechanism, proven from their statements
   * (the same statement objects can apply to its principals); when true the check reuses one phase's
   * answers for the other. Optional: without it every phase is evaluated.
   */
  readonly samePhases?: (mechanism: 'irsa' | 'pod-identity', a: keyof TrustPhases, b: keyof TrustPhases) => boolean;
}

/** Whether the statements of `a` and `b` that can apply to a principal of one of `types` are the very same objects. */
export function sameStatementsFor(a: PolicyDocument | null, b: PolicyDocument | null, types: readonly string[]): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const applicable = (st: RawStatement) =>
    st.NotPrincipal !== undefined || st.Principal === '*' || (st.Principal !== undefined && types.some((t) => Object.hasOwn(st.Principal as object, t)));
  const left = asList(a.Statement).filter(applicable);
  const right = asList(b.Statement).filter(applicable);
  return left.length === right.length && left.every((st, i) => st === right[i]);
}

/** The outcome of the check for one role. */
export interface CheckResult {
  readonly identitiesChecked: number;
  readonly differences: EquivalenceDifference[];
  /** Clauses the evaluator could not decide, when any: the rewrite cannot be proven. */
  readonly unknown: string[];
  /** Migrated identities the final trust still admits through IRSA. */
  readonly irsaRetained: Identity[];
}

const NEIGHBOUR = 'irsa2pi-neighbour';

function syntheticCluster(cache: UniverseCache, near: Identity): Cluster {
  const key = `${near.region}|${near.accountId}`;
  const known = cache.synthetic.get(key);
  if (known) return known;
  const cluster: Cluster = {
    name: NEIGHBOUR,
    arn: `arn:${partitionOf(near.clusterArn)}:eks:${near.region}:${near.accountId}:cluster/${NEIGHBOUR}`,
    accountId: near.accountId,
    region: near.region,
    version: undefined,
    platformVersion: undefined,
    issuer: undefined,
    issuerHostPath: `oidc.eks.${near.region}.${dnsSuffixOf(partitionOf(near.clusterArn))}/id/00000000000000000000000000000000`,
    endpoint: undefined,
    autoMode: false,
    onOutposts: false,
    kubernetes: undefined,
    source: '',
  };
  cache.synthetic.set(key, cluster);
  return cluster;
}

const SUBJECT = /^system:serviceaccount:([^:]+):(.+)$/;
const ISSUER = /oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/id\/[A-Za-z0-9]+/g;
const CLUSTER_ARN = /arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]+/g;
const REPRESENTATIVES = ['irsa2pi-unmentioned', 'zq0-irsa2pi-unmentioned-9', 'irsa2pi.unmentioned.x'];

function stringsOf(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out);
    }
  }
  return out;
}

/** What the universe needs to know of one statement's strings, computed once per statement object. */
interface StatementStrings {
  readonly tokens: readonly string[];
  readonly patterns: readonly string[];
  readonly issuers: readonly string[];
  readonly clusterArns: readonly string[];
  readonly named: readonly (readonly [string, string])[];
}

/** The lower-cased parts of a value between `:` and `/`, added to `out`. */
function addTokens(value: string, out: Set<string>): void {
  const lower = value.toLowerCase();
  let start = 0;
  for (let i = 0; i <= lower.length; i++) {
    const ch = i < lower.length ? lower.charCodeAt(i) : 58;
    if (ch === 58 || ch === 47) {
      out.add(lower.slice(start, i));
      start = i + 1;
    }
  }
}

/** Every match of a global expression in the strings; no match spans two of them. */
function matchesIn(strings: readonly string[], mark: string, expression: RegExp): string[] {
  const out: string[] = [];
  for (const s of strings) if (s.includes(mark)) for (const m of s.matchAll(expression)) out.push(m[0]);
  return out;
}

function conditionValues(st: RawStatement): string[] {
  const out: string[] = [];
  for (const tests of Object.values(st.Condition ?? {}))
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- analyze() is exported: a JavaScript caller's inventory may hold a null test block, which has no values
    for (const value of Object.values(tests ?? {})) stringsOf(value, out);
  return out;
}

/** Only condition values are ever compared with what a request derives from a service account. */
function stringsOfStatement(cache: UniverseCache, st: RawStatement): StatementStrings {
  let known = cache.statements.get(st);
  if (known) return known;
  const values = conditionValues(st);
  const strings = stringsOf(st, []);
  const tokens = new Set<string>();
  for (const v of values) addTokens(v, tokens);
  known = {
    tokens: [...tokens],
    patterns: [...new Set(values.filter(hasWildcard))],
    issuers: matchesIn(strings, 'oidc.eks.', ISSUER),
    clusterArns: matchesIn(strings, ':eks:', CLUSTER_ARN),
    named: values.flatMap((v) => {
      const m = SUBJECT.exec(v);
      return m
        ? [[present(m[1], 'the namespace of a subject').replace(/[*?]/g, 'x'), present(m[2], 'the name of a subject').replace(/[*?]/g, 'x')] as const]
        : [];
    }),
  };
  cache.statements.set(st, known);
  return known;
}

/** The strings a request derives from a service account, and the same lower-cased, as patterns filter them. */
interface DerivedStrings {
  readonly strings: readonly string[];
  readonly lower: readonly string[];
}

/** A scanned service account with its namespace and name lower-cased, as tokens compare. */
interface IndexedServiceAccount {
  readonly sa: ServiceAccount;
  readonly namespace: string;
  readonly name: string;
}

/** The scanned service accounts that share one lower-cased name. */
interface NamedServiceAccounts {
  /** Them by their name as written. */
  readonly byName: ReadonlyMap<string, readonly IndexedServiceAccount[]>;
  /** Them by lower-cased namespace. */
  readonly byNamespace: ReadonlyMap<string, readonly ServiceAccount[]>;
}

/** The namespaces and service accounts one lower-cased token names in a cluster. */
interface TokenEntry {
  namespaces?: string[];
  /** The one service account of that name, or look-ups over the several. */
  sameName?: IndexedServiceAccount | NamedServiceAccounts;
}

interface ServiceAccountIndex {
  readonly all: readonly IndexedServiceAccount[];
  /** What a lower-cased token names: namespaces (as written), and the service accounts of that name. */
  readonly byToken: ReadonlyMap<string, TokenEntry>;
  readonly customAudience: readonly ServiceAccount[];
  /** Per service account (in the order of `all`), the strings a request derives from it; built on first need. */
  derived?: readonly DerivedStrings[];
  /** Per kind of derived string (subject, namespace, name, external ID), positions into `derived` sorted by it lower-cased; built on first need. */
  derivedOrder?: readonly (readonly number[])[];
}

/**
 * What {@link universeFor} learns of statements and clusters, kept for the roles of one plan: pass the
 * same cache for every role of a plan and let it go with the plan.
 */
export class UniverseCache {
  readonly statements = new WeakMap<RawStatement, StatementStrings>();
  readonly indexes = new WeakMap<Cluster, ServiceAccountIndex>();
  /** The cluster no inventory has, one per region and account, that stands for every cluster not scanned. */
  readonly synthetic = new Map<string, Cluster>();
}

function indexOf(cache: UniverseCache, cluster: Cluster): ServiceAccountIndex {
  let index = cache.indexes.get(cluster);
  if (!index) {
    const scanned = cluster.kubernetes?.serviceAccounts ?? [];
    const all = scanned.map((sa) => ({ sa, namespace: sa.namespace.toLowerCase(), name: sa.name.toLowerCase() }));
    const byToken = new Map<string, TokenEntry>();
    const entryFor = (token: string): TokenEntry => {
      let entry = byToken.get(token);
      if (!entry) byToken.set(token, (entry = {}));
      return entry;
    };
    for (const ns of new Set(scanned.map((sa) => sa.namespace))) (entryFor(ns.toLowerCase()).namespaces ??= []).push(ns);
    for (const [token, entries] of group(all, (e) => e.name)) {
      const [only] = entries;
      if (only && entries.length === 1) {
        entryFor(token).sameName = only;
        continue;
      }
      const byNamespace = new Map<string, ServiceAccount[]>();
      for (const e of entries) push(byNamespace, e.namespace, e.sa);
      entryFor(token).sameName = { byName: group(entries, (e) => e.sa.name), byNamespace };
    }
    index = { all, byToken, customAudience: scanned.filter((sa) => sa.audience !== DEFAULT_AUDIENCE) };
    cache.indexes.set(cluster, index);
  }
  return index;
}

function firstWithIssuer(clusters: readonly Cluster[], n: number): Cluster[] {
  const out: Cluster[] = [];
  for (const c of clusters) {
    if (out.length === n) break;
    if (c.issuerHostPath) out.push(c);
  }
  return out;
}

/**
 * A trust's wildcard patterns, matched without regard to case (a superset of what any operator
 * matches). Each is tried only on strings that start with its literal ASCII prefix: a case-insensitive
 * glob matches an ASCII character only with an ASCII character, so the filter never turns away a
 * string the glob would match.
 */
class PatternSet {
  private readonly prefixes: string[] = [];
  private readonly expressions: Glob[] = [];

  constructor(patterns: Iterable<string>) {
    for (const pattern of patterns) {
      let end = 0;
      while (end < pattern.length) {
        const ch = pattern.charCodeAt(end);
        if (ch === 42 || ch === 63 || ch > 127) break;
        end++;
      }
      this.prefixes.push(pattern.slice(0, end).toLowerCase());
      this.expressions.push(compileGlob(pattern, true));
    }
  }

  get empty(): boolean {
    return this.expressions.length === 0;
  }

  /** @param lower `s` lower-cased, when the caller has it already */
  matches(s: string, lower = s.toLowerCase()): boolean {
    for (let i = 0; i < this.expressions.length; i++) {
      if (lower.startsWith(present(this.prefixes[i], 'a pattern prefix')) && present(this.expressions[i], 'a pattern').test(s)) return true;
    }
    return false;
  }

  matchesAny(strings: readonly string[]): boolean {
    for (const s of strings) if (this.matches(s)) return true;
    return false;
  }

  /**
   * The positions in `derived` of the service accounts a pattern matches through one of their derived
   * strings. Strings that start with a pattern's literal prefix are one run of each kind's sorted order,
   * found by binary search, so only they are tested.
   */
  matchingPositions(derived: readonly DerivedStrings[], order: readonly (readonly number[])[]): Set<number> {
    const out = new Set<number>();
    for (let p = 0; p < this.expressions.length; p++) {
      const prefix = present(this.prefixes[p], 'a pattern prefix');
      const expression = present(this.expressions[p], 'a pattern');
      for (const [kind, sorted] of order.entries()) {
        const lowerAt = (j: number) =>
          present(present(derived[present(sorted[j], 'a sorted position')], 'a derived string').lower[kind], 'a lower-cased derived string');
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (lowerAt(mid) < prefix) lo = mid + 1;
          else hi = mid;
        }
        for (let j = lo; j < sorted.length; j++) {
          if (!lowerAt(j).startsWith(prefix)) break;
          const at = present(sorted[j], 'a sorted position');
          if (!out.has(at) && expression.test(present(present(derived[at], 'a derived string').strings[kind], 'a derived string'))) out.add(at);
        }
      }
    }
    return out;
  }
}

/** Identities in the order first added, one per cluster, namespace and service account. */
class IdentityList {
  readonly list: Identity[] = [];
  private readonly positions = new Map<string, Map<string, Map<string, number>>>();

  private namesIn(clusterArn: string, namespace: string): Map<string, number> {
    return mapIn(mapIn(this.positions, clusterArn), namespace);
  }

  /** Adds the identity of a service account unless the list has one for it already. */
  addIfAbsent(c: Cluster, namespace: string, serviceAccount: string, audience: string): void {
    const names = this.namesIn(c.arn, namespace);
    if (!names.has(serviceAccount)) names.set(serviceAccount, this.list.push(identityOf(c, namespace, serviceAccount, audience)) - 1);
  }

  /** Adds an identity, or replaces the one for its service account where it stands. */
  put(id: Identity): void {
    const names = this.namesIn(id.clusterArn, id.namespace);
    const at = names.get(id.serviceAccount);
    if (at === undefined) names.set(id.serviceAccount, this.list.push(id) - 1);
    else this.list[at] = id;
  }
}

/** The strings a request derives from a service account's namespace and name (subject, session tags, external ID). */
function derivedStrings(c: Cluster, namespace: string, serviceAccount: string): string[] {
  return [
    subjectOf(namespace, serviceAccount),
    namespace,
    serviceAccount,
    externalIdOf({ region: c.region, accountId: c.accountId, clusterName: c.name, namespace, serviceAccount }),
  ];
}

/**
 * The identities to evaluate for a role. Every scanned service account of the clusters the trust or the
 * migration touches is covered: clusters of the migrated identities, and clusters whose issuer or ARN
 * the trust names, whose name a condition value holds, or whose ARN or name a pattern matches (a
 * statement that names no cluster at all applies alike everywhere, and the check requires such
 * statements to stay as they are). A scanned service account is never replaced by a stand-in with
 * another audience. A condition can only tell two service accounts apart through the
 * strings a request derives from their namespace and name, compared for equality or matched against
 * the trust's wildcard patterns. So a service account is evaluated itself when the trust mentions both
 * its namespace and its name, when a pattern matches one of its strings, or when it has a non-default
 * audience; any other evaluates exactly like a representative that keeps what the trust mentions of it
 * (its namespace, or its name, or neither) and replaces the rest by a name the trust neither mentions
 * nor matches, and that representative is evaluated in its place (where a pattern matches the
 * representative itself, the service account is evaluated itself). Added: every subject the trust
 * names (wildcards instantiated), the migrated identities, and a neighbour of each (other namespace,
 * other service account, other clusters).
 */
export function universeFor(
  ctx: InventoryIndexes,
  docs: readonly (PolicyDocument | null)[],
  migrated: readonly Identity[],
  cache = new UniverseCache(),
): Identity[] {
  const seen = new Set<RawStatement>();
  const facts: StatementStrings[] = [];
  const tokens = new Set<string>();
  const patternStrings = new Set<string>();
  for (const doc of docs) {
    if (!doc) continue;
    for (const st of asList(doc.Statement)) {
      if (seen.has(st)) continue;
      seen.add(st);
      const f = stringsOfStatement(cache, st);
      facts.push(f);
      for (const t of f.tokens) tokens.add(t);
      for (const p of f.patterns) patternStrings.add(p);
    }
  }
  const patterns = new PatternSet(patternStrings);
  const hits = (c: Cluster, namespace: string, serviceAccount: string) => !patterns.empty && patterns.matchesAny(derivedStrings(c, namespace, serviceAccount));
  const out = new IdentityList();
  /** Representatives, named subjects and neighbours never replace a scanned service account (whose audience may differ). */
  const add = (c: Cluster, namespace: string, serviceAccount: string, audience = DEFAULT_AUDIENCE) => {
    out.addIfAbsent(c, namespace, serviceAccount, audience);
  };
  const addScanned = (c: Cluster, sa: ServiceAccount) => {
    out.put(identityOf(c, sa.namespace, sa.name, sa.audience));
  };
  const byArn = ctx.clustersByArn;
  const relevant = new Set<Cluster>();
  for (const f of facts) {
    for (const issuer of f.issuers) for (const c of ctx.clustersByIssuer.get(issuer) ?? []) relevant.add(c);
    for (const arn of f.clusterArns) {
      const c = byArn.get(arn);
      if (c) relevant.add(c);
    }
  }
  for (const id of migrated) {
    const c = byArn.get(id.clusterArn);
    if (c) relevant.add(c);
  }
  for (const token of tokens) for (const c of ctx.clustersByName.get(token) ?? []) relevant.add(c);
  if (!patterns.empty) for (const c of ctx.clusters) if (patterns.matches(c.arn) || patterns.matches(c.name)) relevant.add(c);
  /** Each token's position in `tokens`, for walking the smaller side of a look-up in the trust's order. */
  let tokenOrder: Map<string, number> | undefined;
  const named = [...new Map(facts.flatMap((f) => f.named).map(([ns, sa]) => [`${ns}|${sa}`, [ns, sa] as const])).values()];
  for (const c of relevant) {
    const index = indexOf(cache, c);
    const representative = REPRESENTATIVES.find((r) => !tokens.has(r) && !hits(c, r, r));
    const own = (sa: ServiceAccount) => {
      addScanned(c, sa);
    };
    if (!representative) for (const { sa } of index.all) own(sa);
    else if (!patterns.empty) {
      const derived = (index.derived ??= index.all.map(({ sa }) => {
        const strings = derivedStrings(c, sa.namespace, sa.name);
        const lower = strings.map((s) => s.toLowerCase());
        return { strings, lower: lower.every((l, i) => l === strings[i]) ? strings : lower };
      }));
      const order = (index.derivedOrder ??= (derived[0]?.strings ?? []).map((_, kind) =>
        derived
          .map((_, i) => i)
          .sort((a, b) => {
            const [x, y] = [present(derived[a]?.lower[kind], 'a derived string'), present(derived[b]?.lower[kind], 'a derived string')];
            return x < y ? -1 : x > y ? 1 : 0;
          }),
      ));
      const matched = patterns.matchingPositions(derived, order);
      for (const [i, { sa, namespace, name }] of index.all.entries()) {
        const nsKnown = tokens.has(namespace);
        const nameKnown = tokens.has(name);
        if (sa.audience !== DEFAULT_AUDIENCE || (nsKnown && nameKnown) || matched.has(i)) own(sa);
        else if (nsKnown) {
          if (hits(c, sa.namespace, representative)) own(sa);
          else add(c, sa.namespace, representative);
        } else if (nameKnown) {
          if (hits(c, representative, sa.name)) own(sa);
          else add(c, representative, sa.name);
        }
      }
    } else {
      for (const token of tokens) {
        const entry = index.byToken.get(token);
        if (!entry) continue;
        for (const ns of entry.namespaces ?? []) add(c, ns, representative);
        const sameName = entry.sameName;
        if (!sameName) continue;
        if ('sa' in sameName) {
          if (tokens.has(sameName.namespace)) own(sameName.sa);
          else add(c, representative, sameName.sa.name);
          continue;
        }
        if (sameName.byNamespace.size < tokens.size) {
          tokenOrder ??= new Map([...tokens].map((t, i) => [t, i]));
          const found: [number, readonly ServiceAccount[]][] = [];
          for (const [namespace, sas] of sameName.byNamespace) {
            const at = tokenOrder.get(namespace);
            if (at !== undefined) found.push([at, sas]);
          }
          for (const [, sas] of found.sort((a, b) => a[0] - b[0])) for (const sa of sas) own(sa);
        } else for (const namespace of tokens) for (const sa of sameName.byNamespace.get(namespace) ?? []) own(sa);
        for (const [name, entries] of sameName.byName) if (entries.some((e) => !tokens.has(e.namespace))) add(c, representative, name);
      }
      for (const sa of index.customAudience) own(sa);
    }
    if (representative) add(c, representative, representative);
    for (const [ns, sa] of named) add(c, ns, sa);
  }
  const namedKeys = new Set(named.map(([ns, sa]) => `${ns}|${sa}`));
  const seeds = [...migrated, ...out.list.filter((id) => namedKeys.has(`${id.namespace}|${id.serviceAccount}`))];
  const withIssuer = firstWithIssuer(ctx.clusters, 4);
  for (const id of seeds) {
    const cluster = byArn.get(id.clusterArn) ?? syntheticCluster(cache, id);
    add(cluster, `${id.namespace}-${NEIGHBOUR}`, id.serviceAccount);
    add(cluster, id.namespace, `${id.serviceAccount}-${NEIGHBOUR}`);
    const others = withIssuer.filter((c) => c.arn !== id.clusterArn).slice(0, 3);
    for (const other of [...others, syntheticCluster(cache, id)]) add(other, id.namespace, id.serviceAccount, id.audience);
  }
  for (const id of migrated) out.put(id);
  return out.list;
}

function nonIrsaStatementsKept(current: PolicyDocument | null, rewritten: PolicyDocument): boolean {
  if (!current) return true;
  const kept = asList(rewritten.Statement);
  return asList(current.Statement)
    .filter((st) => irsaProviders(st).length === 0)
    .every((st) => kept.some((k) => isDeepStrictEqual(k, st)));
}

function appendsOnly(current: PolicyDocument | null, transition: PolicyDocument): boolean {
  if (!current) return true;
  const before = asList(current.Statement);
  return isDeepStrictEqual(before, asList(transition.Statement).slice(0, before.length));
}

/**
 * Proves a rewrite over `universe`: transition adds Pod Identity admission for exactly the migrated
 * identities and changes nothing else; final keeps Pod Identity as in transition and removes IRSA
 * admission only from migrated identities; statements that are not IRSA stay verbatim. A role that
 * only chains (`requireIrsaToday` false) has no IRSA admission of its own to compare against.
 */
export function checkRewrite(
  phases: TrustPhases,
  migrated: readonly Identity[],
  universe: readonly Identity[],
  probe: AdmissionProbe,
  requireIrsaToday = true,
): CheckResult {
  const differences: EquivalenceDifference[] = [];
  const unknown: string[] = [];
  const irsaRetained: Identity[] = [];
  const migratedByName = new Map<string, Map<string, Identity[]>>();
  for (const m of migrated) pushIn(migratedByName, m.serviceAccount, m.namespace, m);
  const isMigrated = (id: Identity) =>
    migratedByName
      .get(id.serviceAccount)
      ?.get(id.namespace)
      ?.some((m) => m.clusterArn === id.clusterArn) ?? false;
  const diff = (
    phase: EquivalenceDifference['phase'],
    mechanism: EquivalenceDifference['mechanism'],
    id: Identity | string,
    expected: string,
    actual: string,
  ) => differences.push({ phase, mechanism, identity: typeof id === 'string' ? id : displayIdentity(id), expected, actual });
  const same = (mechanism: 'irsa' | 'pod-identity', a: keyof TrustPhases, b: keyof TrustPhases) => probe.samePhases?.(mechanism, a, b) ?? false;
  const irsaTransitionSame = same('irsa', 'current', 'transition');
  const irsaFinalSame = same('irsa', 'transition', 'final');
  const piTransitionSame = same('pod-identity', 'current', 'transition');
  const piFinalSame = same('pod-identity', 'transition', 'final');
  for (const id of universe) {
    const migratedHere = isMigrated(id);
    const irsaNow = probe.irsa(phases.current, id);
    const irsaTransition = irsaTransitionSame ? irsaNow : probe.irsa(phases.transition, id);
    const irsaFinal = irsaFinalSame ? irsaTransition : probe.irsa(phases.final, id);
    const piNow = probe.podIdentity('current', phases.current, id);
    const piTransition = piTransitionSame ? piNow : probe.podIdentity('transition', phases.transition, id);
    const piFinal = piFinalSame ? piTransition : probe.podIdentity('final', phases.final, id);
    if (
      irsaNow === 'unknown' ||
      irsaTransition === 'unknown' ||
      irsaFinal === 'unknown' ||
      piNow === 'unknown' ||
      piTransition === 'unknown' ||
      piFinal === 'unknown'
    ) {
      unknown.push(displayIdentity(id));
      continue;
    }
    if (irsaTransition !== irsaNow) diff('transition', 'irsa', id, irsaNow, irsaTransition);
    if (migratedHere) {
      if (requireIrsaToday && irsaNow !== 'yes') diff('transition', 'irsa', id, 'admitted through IRSA today', irsaNow);
      if (piTransition !== 'yes') diff('transition', 'pod-identity', id, 'yes', piTransition);
      if (irsaFinal === 'yes') irsaRetained.push(id);
    } else {
      if (piTransition !== piNow) diff('transition', 'pod-identity', id, piNow, piTransition);
      if (irsaFinal !== irsaNow) diff('final', 'irsa', id, irsaNow, irsaFinal);
    }
    if (piFinal !== piTransition) diff('final', 'pod-identity', id, piTransition, piFinal);
  }
  if (!appendsOnly(phases.current, phases.transition)) diff('transition', 'statements', '*', 'current statements kept in place', 'changed');
  if (!nonIrsaStatementsKept(phases.current, phases.final)) diff('final', 'statements', '*', 'non-IRSA statements kept verbatim', 'changed');
  return { identitiesChecked: universe.length, differences, unknown, irsaRetained };
}
