import { hash } from 'node:crypto';
import { isEksIssuer, oidcProviderHostPath } from '../iam/arn.js';
import { asList, type PolicyDocument, type RawStatement, splitOperator } from '../iam/policy.js';
import { type Identity, POD_IDENTITY_ACTIONS, POD_IDENTITY_SERVICE, SESSION_TAGS, WEB_IDENTITY_ACTION, externalIdOf, subjectOf } from '../iam/requests.js';
import { globMatch } from '../iam/glob.js';
import { mapIn } from '../group.js';
import { compareText } from '../order.js';

function sid(prefix: string, content: unknown, taken: Set<string>): string {
  const base = `${prefix}${hash('sha256', JSON.stringify(content)).slice(0, 12).toUpperCase()}`;
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base}${n}`;
  taken.add(candidate);
  return candidate;
}

function oneOrMany(values: readonly string[]): string | string[] {
  const [only] = values;
  return only !== undefined && values.length === 1 ? only : [...values];
}

/** How the planner writes the statements it adds. */
export interface StatementStyle {
  /**
   * Fit a trust under IAM's size limit: no `Sid`, and per cluster whichever exact grouping is shorter,
   * namespaces that share their service-account set or service accounts that share their namespace set.
   */
  readonly compact?: boolean;
}

/** Cross products that together are exactly the pairs given: rows sharing the very same set of columns share a product. */
function productsOf(pairs: ReadonlyMap<string, ReadonlySet<string>>): { rows: string[]; columns: string[] }[] {
  const byColumns = new Map<string, { rows: string[]; columns: string[] }>();
  for (const [row, cols] of [...pairs.entries()].sort(([a], [b]) => compareText(a, b))) {
    const columns = [...cols].sort();
    const key = JSON.stringify(columns);
    const product = byColumns.get(key);
    if (product) product.rows.push(row);
    else byColumns.set(key, { rows: [row], columns });
  }
  return [...byColumns.values()];
}

function transposed(pairs: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [row, cols] of pairs) for (const col of cols) mapSet(out, col).add(row);
  return out;
}

function mapSet(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function podIdentityStatement(
  clusterArns: readonly string[],
  namespaces: readonly string[],
  serviceAccounts: readonly string[],
  takenSids: Set<string>,
  compact: boolean,
): RawStatement {
  const condition = {
    StringEquals: {
      [`aws:RequestTag/${SESSION_TAGS.clusterArn}`]: oneOrMany(clusterArns),
      [`aws:RequestTag/${SESSION_TAGS.namespace}`]: oneOrMany(namespaces),
      [`aws:RequestTag/${SESSION_TAGS.serviceAccount}`]: oneOrMany(serviceAccounts),
    },
  };
  return {
    ...(compact ? {} : { Sid: sid('Irsa2piPodIdentity', condition, takenSids) }),
    Effect: 'Allow' as const,
    Principal: { Service: POD_IDENTITY_SERVICE },
    Action: [...POD_IDENTITY_ACTIONS],
    Condition: condition,
  };
}

/**
 * Pod Identity statements admitting exactly `identities`. Lists in one condition are ORed per key and
 * ANDed across keys, so a statement admits the cross product of its clusters, namespaces and service
 * accounts: per cluster, only namespaces with the very same service-account set share a statement.
 * Compact: per cluster, service accounts with the very same namespace set share one instead when that
 * is shorter, and clusters with the very same product share its statement.
 */
export function podIdentityStatements(identities: readonly Identity[], takenSids: Set<string>, style: StatementStyle = {}): RawStatement[] {
  const byCluster = new Map<string, Map<string, Set<string>>>();
  for (const id of identities) mapSet(mapIn(byCluster, id.clusterArn), id.namespace).add(id.serviceAccount);
  const clusters = [...byCluster.entries()].sort(([a], [b]) => compareText(a, b));
  if (!style.compact)
    return clusters.flatMap(([clusterArn, namespaces]) =>
      productsOf(namespaces).map((g) => podIdentityStatement([clusterArn], g.rows, g.columns, takenSids, false)),
    );
  const products = new Map<string, { clusterArns: string[]; namespaces: string[]; serviceAccounts: string[] }>();
  for (const [clusterArn, namespaces] of clusters) {
    const byNamespace = productsOf(namespaces).map((g) => ({ namespaces: g.rows, serviceAccounts: g.columns }));
    const byServiceAccount = productsOf(transposed(namespaces)).map((g) => ({ namespaces: g.columns, serviceAccounts: g.rows }));
    const size = (ps: readonly { namespaces: string[]; serviceAccounts: string[] }[]) => JSON.stringify(ps).length + ps.length * 256;
    for (const p of size(byServiceAccount) < size(byNamespace) ? byServiceAccount : byNamespace) {
      const key = JSON.stringify([p.namespaces, p.serviceAccounts]);
      const shared = products.get(key);
      if (shared) shared.clusterArns.push(clusterArn);
      else products.set(key, { clusterArns: [clusterArn], ...p });
    }
  }
  return [...products.values()].map((p) => podIdentityStatement(p.clusterArns, p.namespaces, p.serviceAccounts, takenSids, true));
}

/** A statement letting the same-account role chain into the target role, for these identities' external IDs only. */
export function chainStatement(sourceRoleArn: string, identities: readonly Identity[], takenSids: Set<string>, style: StatementStyle = {}): RawStatement {
  const condition = { StringEquals: { 'sts:ExternalId': oneOrMany([...new Set(identities.map(externalIdOf))].sort()) } };
  return {
    ...(style.compact ? {} : { Sid: sid('Irsa2piChain', { sourceRoleArn, condition }, takenSids) }),
    Effect: 'Allow',
    Principal: { AWS: sourceRoleArn },
    Action: [...POD_IDENTITY_ACTIONS],
    Condition: condition,
  };
}

/** The policy with `added` appended after every existing statement, which stay as they are. */
export function withStatements(doc: PolicyDocument, added: readonly RawStatement[]): PolicyDocument {
  if (added.length === 0) return doc;
  return { ...doc, Statement: [...asList(doc.Statement), ...added] };
}

export function sidsOf(doc: PolicyDocument | null): Set<string> {
  return new Set(doc ? asList(doc.Statement).flatMap((s) => (s.Sid ? [s.Sid] : [])) : []);
}

/** The EKS OIDC provider host/paths an Allow web-identity statement trusts; empty for any other statement. */
export function irsaProviders(st: RawStatement): string[] {
  if (st.Effect !== 'Allow' || !st.Principal || st.Principal === '*') return [];
  const actions = asList(st.Action);
  if (!actions.some((a) => globMatch(a, WEB_IDENTITY_ACTION, true))) return [];
  return asList(st.Principal.Federated)
    .map((arn) => oidcProviderHostPath(arn))
    .filter((hp): hp is string => !!hp && isEksIssuer(hp));
}

const REMOVABLE_OPERATORS = new Set(['StringEquals', 'StringLike']);

/**
 * Removes IRSA admission for `migrated` where a statement names them as exact subjects of a single
 * provider. Only Allow statements are narrowed; a statement whose subject list empties is dropped.
 * Wildcard and subject-less statements stay (they may serve identities that are not migrated).
 */
export function withoutIrsaSubjects(doc: PolicyDocument, migrated: readonly Identity[]): PolicyDocument {
  const bySubjectKey = new Map<string, Set<string>>();
  for (const id of migrated) {
    const key = `${id.issuerHostPath}:sub`.toLowerCase();
    let set = bySubjectKey.get(key);
    if (!set) bySubjectKey.set(key, (set = new Set()));
    set.add(subjectOf(id.namespace, id.serviceAccount));
  }
  const out: RawStatement[] = [];
  let changed = false;
  for (const st of asList(doc.Statement)) {
    const providers = irsaProviders(st);
    if (providers.length !== 1 || !st.Condition) {
      out.push(st);
      continue;
    }
    let drop = false;
    let touched = false;
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [op, tests] of Object.entries(st.Condition)) {
      const parts = splitOperator(op);
      const narrowable = REMOVABLE_OPERATORS.has(parts.operator) && !parts.ifExists && parts.qualifier !== 'ForAllValues';
      const newTests: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(tests)) {
        const remove = narrowable ? bySubjectKey.get(key.toLowerCase()) : undefined;
        const values = asList(value as string | string[]).map(String);
        const kept = remove ? values.filter((v) => !remove.has(v)) : values;
        if (kept.length !== values.length) {
          touched = true;
          if (kept.length === 0) drop = true;
          newTests[key] = oneOrMany(kept);
        } else newTests[key] = value;
      }
      condition[op] = newTests;
    }
    if (!touched) out.push(st);
    else {
      changed = true;
      if (!drop) out.push({ ...st, Condition: condition as RawStatement['Condition'] });
    }
  }
  return changed ? { ...doc, Statement: out } : doc;
}

/** The document as IAM measures its size (minified JSON), or '' for none. */
export function minified(doc: PolicyDocument | null): string {
  return doc ? JSON.stringify(doc) : '';
}
