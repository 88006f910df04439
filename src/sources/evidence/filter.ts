/**
 * `--cluster` and `--region` over an evidence bundle: the inventory narrowed to those clusters, as a
 * live collection with the same options would have read it (IAM is global, so every role stays).
 * @module
 */
import { InputError } from '../../errors.js';
import type { Cluster, Inventory, ScanGap } from '../../model/inventory.js';

/** Which clusters to keep: by name and by region; an empty list keeps all. */
export interface ClusterFilter {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
}

/** How many names an error lists before it says how many more there are. */
const LISTED = 10;

function listed(values: readonly string[]): string {
  const sorted = [...new Set(values)].sort();
  const shown = sorted.slice(0, LISTED).join(', ');
  return sorted.length > LISTED ? `${shown} and ${sorted.length - LISTED} more` : shown || 'none';
}

function keepsGap(gap: ScanGap, filter: ClusterFilter): boolean {
  const gapRegions = gap.region?.split(',').filter(Boolean) ?? [];
  if (gap.scope === 'region') return filter.regions.length === 0 || filter.regions.includes(gap.name);
  const inRegion = filter.regions.length === 0 || gapRegions.length === 0 || gapRegions.some((r) => filter.regions.includes(r));
  return inRegion && (filter.clusters.length === 0 || filter.clusters.includes(gap.name));
}

/**
 * The inventory of `bundle` with only the clusters that `filter` names (and their associations,
 * add-ons and scan gaps). A region or cluster the bundle has neither a cluster nor a scan gap for is
 * an error naming it: a bundle cannot gain a cluster later, so it is a typo, not a gap.
 */
export function filterInventory(inventory: Inventory, filter: ClusterFilter, bundle: string): Inventory {
  if (filter.clusters.length === 0 && filter.regions.length === 0) return inventory;
  const all = inventory.clusters;
  const gaps = inventory.scanGaps;
  const gapRegions = gaps.flatMap((g) => (g.scope === 'region' ? [g.name] : (g.region?.split(',') ?? [])));
  for (const region of filter.regions) {
    if (!all.some((c) => c.region === region) && !gapRegions.includes(region))
      throw new InputError(
        `--region ${region}: the evidence bundle ${bundle} has no cluster in that region (it has clusters in ${listed(all.map((c) => c.region))})`,
      );
  }
  const inRegions = all.filter((c) => filter.regions.length === 0 || filter.regions.includes(c.region));
  for (const name of filter.clusters) {
    if (!inRegions.some((c) => c.name === name) && !gaps.some((g) => g.scope === 'cluster' && g.name === name && keepsGap(g, filter))) {
      const where = filter.regions.length ? ` in ${filter.regions.join(', ')}` : '';
      throw new InputError(
        `--cluster ${name}: the evidence bundle ${bundle} has no cluster of that name${where} (it has ${listed(inRegions.map((c) => c.name))})`,
      );
    }
  }
  const kept: readonly Cluster[] = inRegions.filter((c) => filter.clusters.length === 0 || filter.clusters.includes(c.name));
  const arns = new Set(kept.map((c) => c.arn));
  return {
    ...inventory,
    outOfScope: {
      clusters: [...(inventory.outOfScope?.clusters ?? []), ...all.filter((c) => !arns.has(c.arn))],
      associations: [...(inventory.outOfScope?.associations ?? []), ...inventory.associations.filter((a) => !arns.has(a.clusterArn))],
    },
    clusters: kept,
    associations: inventory.associations.filter((a) => arns.has(a.clusterArn)),
    ...(inventory.undescribedAssociations ? { undescribedAssociations: inventory.undescribedAssociations.filter((a) => arns.has(a.clusterArn)) } : {}),
    addons: inventory.addons.filter((a) => arns.has(a.clusterArn)),
    scanGaps: inventory.scanGaps.filter((g) => keepsGap(g, filter)),
  };
}
