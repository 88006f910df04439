import type { Addon, Cluster, Inventory, Node, PodIdentityAssociation, PodIdentityAssociationSummary, Role } from '../model/inventory.js';
import { DEFAULT_AUDIENCE, identityKey, type Identity } from '../iam/requests.js';
import { WorkloadIndex } from './workloads.js';
import { buildOwnerIndex, type OwnerIndex } from './owners.js';
import { group } from '../group.js';
import { compareText } from '../order.js';

/** Look-up tables over an inventory, built once per analysis and shared by the plan, the audit and the report. */
export interface InventoryIndexes {
  readonly inventory: Inventory;
  readonly rolesByArn: ReadonlyMap<string, Role>;
  readonly scannedRoleAccounts: ReadonlySet<string>;
  /** Per account, the OIDC provider host/paths known to exist (only accounts whose list was collected). */
  readonly providersByAccount: ReadonlyMap<string, ReadonlySet<string>>;
  readonly clusters: readonly Cluster[];
  readonly clustersByArn: ReadonlyMap<string, Cluster>;
  readonly clustersByIssuer: ReadonlyMap<string, readonly Cluster[]>;
  /** Clusters by lower-cased name. */
  readonly clustersByName: ReadonlyMap<string, readonly Cluster[]>;
  readonly associationsByIdentity: ReadonlyMap<string, PodIdentityAssociation>;
  /** Associations a collected list names but no describe output gives (their role is unknown), by identity. */
  readonly undescribedAssociationsByIdentity: ReadonlyMap<string, PodIdentityAssociationSummary>;
  readonly addonsByCluster: ReadonlyMap<string, readonly Addon[]>;
  readonly nodesByCluster: ReadonlyMap<string, ReadonlyMap<string, Node>>;
  readonly workloadsByCluster: ReadonlyMap<string, WorkloadIndex>;
  /** Who owns each role, association and add-on (CloudFormation, eksctl, Terraform). */
  readonly owners: OwnerIndex;
}

/** The look-up tables of an inventory. */
export function buildIndexes(inventory: Inventory): InventoryIndexes {
  const providersByAccount = new Map<string, Set<string>>();
  for (const account of inventory.accountsWithProviderList) providersByAccount.set(account, new Set());
  for (const p of inventory.oidcProviders) providersByAccount.get(p.accountId)?.add(p.hostPath);
  const clusters = [...inventory.clusters].sort((a, b) => compareText(a.name, b.name) || compareText(a.arn, b.arn));
  return {
    inventory,
    rolesByArn: new Map(inventory.roles.map((r) => [r.arn, r])),
    scannedRoleAccounts: new Set(inventory.roles.map((r) => r.accountId)),
    providersByAccount,
    clusters,
    clustersByArn: new Map(clusters.map((c) => [c.arn, c])),
    clustersByIssuer: group(clusters, (c) => c.issuerHostPath),
    clustersByName: group(clusters, (c) => c.name.toLowerCase()),
    associationsByIdentity: new Map(inventory.associations.map((a) => [identityKey(a), a])),
    undescribedAssociationsByIdentity: new Map((inventory.undescribedAssociations ?? []).map((a) => [identityKey(a), a])),
    addonsByCluster: group(inventory.addons, (a) => a.clusterArn),
    nodesByCluster: new Map(clusters.map((c) => [c.arn, new Map((c.kubernetes?.nodes ?? []).map((n) => [n.name, n]))])),
    workloadsByCluster: new Map(clusters.flatMap((c) => (c.kubernetes ? [[c.arn, new WorkloadIndex(c.kubernetes)] as const] : []))),
    owners: buildOwnerIndex(inventory),
  };
}

/** The identity of a service account (scanned or not) in a cluster. */
export function identityOf(cluster: Cluster, namespace: string, serviceAccount: string, audience = DEFAULT_AUDIENCE): Identity {
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
