import type { Inventory } from '../model/inventory.js';
import { buildIndexes, type InventoryIndexes } from './indexes.js';
import { TrustOracle } from './oracle.js';

/** The brand of an {@link Analysis}: what tells it from an inventory, whatever fields that has. */
export const ANALYSIS: unique symbol = Symbol('irsa2pi.analysis');

/**
 * What the planner, the audit and the report all derive from one inventory: its look-up tables and
 * the trust oracle with its caches. Built once by {@link analyze}; its caches live and die with it.
 */
export interface Analysis {
  readonly [ANALYSIS]: true;
  readonly inventory: Inventory;
  readonly indexes: InventoryIndexes;
  readonly oracle: TrustOracle;
}

/** The analysis of an inventory: its look-up tables and a trust oracle over them. */
export function analyze(inventory: Inventory): Analysis {
  const indexes = buildIndexes(inventory);
  return Object.freeze({ [ANALYSIS]: true as const, inventory, indexes, oracle: new TrustOracle(indexes) });
}

/** Whether `source` is an analysis made by {@link analyze} rather than an inventory (whatever fields it has). */
export function isAnalysis(source: Inventory | Analysis): source is Analysis {
  return ANALYSIS in source;
}

/** `source` when it is an analysis, else a new analysis of the inventory. */
export function analysisOf(source: Inventory | Analysis): Analysis {
  return isAnalysis(source) ? source : analyze(source);
}

export { identityOf, type InventoryIndexes } from './indexes.js';
export { TrustOracle } from './oracle.js';
export { describeOwner, type OwnerClaim, type OwnerIndex, type RoleOwnership } from './owners.js';
