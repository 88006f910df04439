import { actionMatches, principalMatches } from './evaluate.js';
import type { NormalizedStatement } from './policy.js';
import { POD_IDENTITY_SERVICE } from './requests.js';

const CLUSTER_ARN_TAG = 'aws:requesttag/eks-cluster-arn';
const EXACT_CLUSTER_ARN = /^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:cluster\/[^*?$]+$/;

/**
 * Whether an Allow statement admits EKS Pod Identity only in clusters it names one by one: a plain
 * `StringEquals` or `ArnEquals` test (no `IfExists`, no set qualifier) of the cluster-ARN session tag
 * against literal cluster ARNs. Anything else — a pattern, a cluster name, `IfExists` (which also admits
 * an association without session tags), no cluster test at all — may admit the pair in other clusters.
 */
export function exactlyClusterScoped(st: NormalizedStatement): boolean {
  return st.conditions.some(
    (c) =>
      c.lowerKey === CLUSTER_ARN_TAG &&
      (c.operator === 'StringEquals' || c.operator === 'ArnEquals') &&
      !c.ifExists &&
      c.qualifier === null &&
      c.values.length > 0 &&
      c.values.every((v) => EXACT_CLUSTER_ARN.test(v)),
  );
}

const FENCE_OPERATORS: ReadonlySet<string> = new Set(['StringNotEquals', 'ArnNotEquals']);

/**
 * Whether a trust's statements hold a Deny that fences EKS Pod Identity to one cluster: a Deny of
 * `sts:AssumeRole` to `pods.eks.amazonaws.com` (by `Principal`, not `NotPrincipal`; by `Action`, not
 * `NotAction`) whose only condition is written exactly `StringNotEquals` or `ArnNotEquals` and tests the
 * cluster-ARN session tag against one literal cluster ARN. Such a Deny refuses every other cluster (and
 * a request without the tag), so each Allow of the same trust admits Pod Identity in that cluster only.
 * A fence naming several clusters is not counted: an Allow meant for one of them may admit the same
 * namespace and service account in another.
 */
export function fencedToClusters(statements: readonly NormalizedStatement[]): boolean {
  return statements.some((st) => {
    if (st.effect !== 'Deny' || !st.principal || st.notPrincipal || !st.actions || st.notActions) return false;
    if (!principalMatches(st, { type: 'Service', id: POD_IDENTITY_SERVICE }) || !actionMatches(st, 'sts:AssumeRole')) return false;
    const written = Object.keys(st.raw.Condition ?? {});
    const [only, ...more] = st.conditions;
    return (
      written.length === 1 &&
      FENCE_OPERATORS.has(written[0] ?? '') &&
      only !== undefined &&
      more.length === 0 &&
      only.lowerKey === CLUSTER_ARN_TAG &&
      !only.ifExists &&
      only.qualifier === null &&
      only.values.length === 1 &&
      only.values.every((v) => EXACT_CLUSTER_ARN.test(v))
    );
  });
}
