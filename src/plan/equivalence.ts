import { isDeepStrictEqual } from 'node:util';
import type { Tri } from '../iam/evaluate.js';
import { asList, type PolicyDocument } from '../iam/policy.js';
import { identityKey, type Identity } from '../iam/requests.js';
import type { Cluster } from '../model/inventory.js';
import type { PlanContext } from './context.js';
import type { EquivalenceDifference, TrustPhases } from './model.js';
import { irsaProviders } from './trust-rewrite.js';
import { displayIdentity } from './identities.js';

/** How to ask whether a trust document admits an identity, per mechanism. */
export interface AdmissionProbe {
  readonly irsa: (doc: PolicyDocument | null, identity: Identity) => Tri;
  readonly podIdentity: (phase: keyof TrustPhases, doc: PolicyDocument | null, identity: Identity) => Tri;
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

function identityIn(cluster: Cluster, namespace: string, serviceAccount: string, audience = 'sts.amazonaws.com'): Identity {
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    accountId: cluster.accountId,
    region: cluster.region,
    issuerHostPath: cluster.issuerHostPath ?? '',
    namespace,
    serviceAccount,
    audience,
  };
}

function syntheticCluster(near: Identity): Cluster {
  return {
    name: NEIGHBOUR,
    arn: `arn:aws:eks:${near.region}:${near.accountId}:cluster/${NEIGHBOUR}`,
    accountId: near.accountId,
    region: near.region,
    version: undefined,
    platformVersion: undefined,
    issuer: undefined,
    issuerHostPath: `oidc.eks.${near.region}.amazonaws.com/id/00000000000000000000000000000000`,
    endpoint: undefined,
    autoMode: false,
    onOutposts: false,
    kubernetes: undefined,
    source: '',
  };
}

const SUBJECT = /system:serviceaccount:([^:"\\]+):([^"\\]+)/g;

/**
 * The identities worth evaluating for a role: every scanned service account of the clusters its trust
 * or its migration touches, every subject its trust names (wildcards instantiated), the migrated
 * identities, and a neighbour of each (other namespace, other service account, other cluster).
 */
export function universeFor(ctx: PlanContext, docs: readonly (PolicyDocument | null)[], migrated: readonly Identity[]): Identity[] {
  const text = docs.map((d) => (d ? JSON.stringify(d) : '')).join('\n');
  const out = new Map<string, Identity>();
  const add = (id: Identity) => out.set(identityKey(id), id);
  const relevant = ctx.clusters.filter((c) => (c.issuerHostPath && text.includes(c.issuerHostPath)) || migrated.some((m) => m.clusterArn === c.arn));
  const named: [string, string][] = [...text.matchAll(SUBJECT)].map((m) => [m[1]!.replace(/[*?]/g, 'x'), m[2]!.replace(/[*?]/g, 'x')]);
  for (const c of relevant) {
    for (const sa of c.kubernetes?.serviceAccounts ?? []) add(identityIn(c, sa.namespace, sa.name, sa.audience));
    for (const [ns, sa] of named) add(identityIn(c, ns, sa));
  }
  const seeds = [...migrated, ...[...out.values()].filter((id) => named.some(([ns, sa]) => ns === id.namespace && sa === id.serviceAccount))];
  for (const id of seeds) {
    const cluster = ctx.clusters.find((c) => c.arn === id.clusterArn) ?? syntheticCluster(id);
    add(identityIn(cluster, `${id.namespace}-${NEIGHBOUR}`, id.serviceAccount));
    add(identityIn(cluster, id.namespace, `${id.serviceAccount}-${NEIGHBOUR}`));
    const others = ctx.clusters.filter((c) => c.arn !== id.clusterArn && c.issuerHostPath).slice(0, 3);
    for (const other of [...others, syntheticCluster(id)]) add(identityIn(other, id.namespace, id.serviceAccount, id.audience));
  }
  for (const id of migrated) add(id);
  return [...out.values()];
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
export function checkRewrite(phases: TrustPhases, migrated: readonly Identity[], universe: readonly Identity[], probe: AdmissionProbe, requireIrsaToday = true): CheckResult {
  const differences: EquivalenceDifference[] = [];
  const unknown: string[] = [];
  const irsaRetained: Identity[] = [];
  const migratedKeys = new Set(migrated.map(identityKey));
  const diff = (phase: EquivalenceDifference['phase'], mechanism: EquivalenceDifference['mechanism'], id: Identity | string, expected: string, actual: string) =>
    differences.push({ phase, mechanism, identity: typeof id === 'string' ? id : displayIdentity(id), expected, actual });
  for (const id of universe) {
    const isMigrated = migratedKeys.has(identityKey(id));
    const irsaNow = probe.irsa(phases.current, id);
    const irsaTransition = probe.irsa(phases.transition, id);
    const irsaFinal = probe.irsa(phases.final, id);
    const piNow = probe.podIdentity('current', phases.current, id);
    const piTransition = probe.podIdentity('transition', phases.transition, id);
    const piFinal = probe.podIdentity('final', phases.final, id);
    if ([irsaNow, irsaTransition, irsaFinal, piNow, piTransition, piFinal].includes('unknown')) {
      unknown.push(displayIdentity(id));
      continue;
    }
    if (irsaTransition !== irsaNow) diff('transition', 'irsa', id, irsaNow, irsaTransition);
    if (isMigrated) {
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
