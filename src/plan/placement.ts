import type { Cluster, Node, Pod } from '../model/inventory.js';

/**
 * The lowest EKS platform version that supports Pod Identity, per Kubernetes minor version
 * (`pod-identities.html`). Versions after the last entry are all supported; before the first, none.
 */
export const POD_IDENTITY_MIN_PLATFORM: Readonly<Record<string, number>> = {
  '1.24': 13,
  '1.25': 10,
  '1.26': 9,
  '1.27': 8,
  '1.28': 4,
};

function minor(version: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Why the cluster's control plane cannot serve Pod Identity, or undefined when it can (or cannot be told). */
export function platformProblem(cluster: Cluster): string | undefined {
  if (!cluster.version) return undefined;
  const v = minor(cluster.version);
  if (!v) return undefined;
  const key = `${v[0]}.${v[1]}`;
  if (v[0] === 1 && v[1] < 24) return `Kubernetes ${key} does not support EKS Pod Identity`;
  const min = POD_IDENTITY_MIN_PLATFORM[key];
  if (min === undefined) return undefined;
  const platform = /^eks\.(\d+)$/.exec(cluster.platformVersion ?? '');
  if (!platform) return undefined;
  return Number(platform[1]) < min ? `Kubernetes ${key} needs platform eks.${min} or later, the cluster has ${cluster.platformVersion}` : undefined;
}

/** The placements that rule Pod Identity out for a service account's pods. */
export interface PlacementBlocks {
  readonly fargatePods: readonly string[];
  readonly windowsPods: readonly string[];
}

export function placementBlocks(pods: readonly Pod[], nodes: ReadonlyMap<string, Node>): PlacementBlocks {
  const fargatePods: string[] = [];
  const windowsPods: string[] = [];
  for (const pod of pods) {
    const node = pod.nodeName ? nodes.get(pod.nodeName) : undefined;
    const onFargate = node?.fargate || pod.labels['eks.amazonaws.com/fargate-profile'] !== undefined || (pod.nodeName?.startsWith('fargate-') ?? false);
    if (onFargate) fargatePods.push(pod.name);
    else if (node?.os === 'windows' || pod.nodeSelector['kubernetes.io/os'] === 'windows') windowsPods.push(pod.name);
  }
  return { fargatePods, windowsPods };
}
