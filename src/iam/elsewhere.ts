import { parseArn } from './arn.js';
import type { Identity } from './requests.js';

const SPARE_REGIONS = ['us-east-1', 'eu-west-1'] as const;

/**
 * The identity's namespace and service account in two clusters of its account that are not its own:
 * one of another name in its region, one of its name in another region. A Pod Identity trust that
 * admits either is not scoped to the identity's cluster (it tests no cluster tag, only the cluster
 * name, or a cluster pattern), so it admits the pair in clusters other than this one.
 */
export function sameIdentityElsewhere(identity: Identity): readonly Identity[] {
  const parsed = parseArn(identity.clusterArn);
  const partition = parsed?.partition || 'aws';
  const region = parsed?.region || identity.region;
  const otherRegion = SPARE_REGIONS.find((r) => r !== region) ?? SPARE_REGIONS[0];
  const otherName = `${identity.clusterName}-elsewhere`;
  const inCluster = (clusterRegion: string, clusterName: string): Identity => ({
    ...identity,
    clusterArn: `arn:${partition}:eks:${clusterRegion}:${identity.accountId}:cluster/${clusterName}`,
    clusterName,
    region: clusterRegion,
  });
  return [inCluster(region, otherName), inCluster(otherRegion, identity.clusterName)];
}
