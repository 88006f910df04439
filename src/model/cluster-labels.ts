import type { Cluster } from './inventory.js';

/**
 * How a message names each of `clusters`: its name where that is unique among them, else the name with
 * its region, and with its account too where two clusters share name and region.
 */
export function clusterLabels(clusters: readonly Pick<Cluster, 'name' | 'region' | 'accountId'>[]): string[] {
  const count = (key: (c: Pick<Cluster, 'name' | 'region' | 'accountId'>) => string) => {
    const n = new Map<string, number>();
    for (const c of clusters) n.set(key(c), (n.get(key(c)) ?? 0) + 1);
    return n;
  };
  const byName = count((c) => c.name);
  const byRegion = count((c) => `${c.name}\u0000${c.region}`);
  return clusters.map((c) => {
    if ((byName.get(c.name) ?? 0) < 2) return c.name;
    if ((byRegion.get(`${c.name}\u0000${c.region}`) ?? 0) < 2) return `${c.name} (${c.region})`;
    return `${c.name} (${c.region}, ${c.accountId})`;
  });
}
