import type { NormalizedStatement } from './policy.js';

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
