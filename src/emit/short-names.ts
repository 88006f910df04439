/**
 * Short labels for ARNs in a terminal table: the shortest form that still tells every value of the
 * table apart, the full ARN when no shorter one does.
 * @module
 */
import { accountOf, roleNameAndPath } from '../iam/arn.js';

/** Maps each value to the first of `forms` that no two distinct values share; the value itself otherwise. */
function shortest<T>(values: readonly T[], key: (v: T) => string, forms: readonly ((v: T) => string | undefined)[]): (v: T) => string {
  const keys = new Map(values.map((v) => [key(v), v]));
  for (const form of forms) {
    const labels = [...keys.values()].map(form);
    if (labels.every((l) => l !== undefined && l !== '') && new Set(labels).size === keys.size) return (v) => form(v) ?? key(v);
  }
  return key;
}

/**
 * Labels for role ARNs: the role name when every role is in one account, `account:role-name`
 * otherwise; the full ARN for anything that is not a role ARN, or when names would collide.
 */
export function roleLabeller(arns: readonly string[]): (arn: string) => string {
  const accounts = new Set(arns.map((a) => accountOf(a) ?? a));
  const name = (arn: string) => roleNameAndPath(arn)?.name;
  const qualified = (arn: string) => {
    const n = name(arn);
    return n === undefined ? undefined : `${accountOf(arn)}:${n}`;
  };
  return shortest(arns, (a) => a, accounts.size === 1 ? [name, qualified] : [qualified]);
}

/** A cluster as a table row names it. */
export interface ClusterRef {
  readonly clusterArn: string;
  readonly cluster: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * Labels for clusters: the name, or `region/name` when two clusters share a name, or
 * `account/region/name` when that is not enough either; the ARN as the last resort.
 */
export function clusterLabeller(clusters: readonly ClusterRef[]): (cluster: ClusterRef) => string {
  return shortest(clusters, (c) => c.clusterArn, [(c) => c.cluster, (c) => `${c.region}/${c.cluster}`, (c) => `${c.accountId}/${c.region}/${c.cluster}`]);
}
