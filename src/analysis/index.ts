import type { Inventory } from '../model/inventory.js';
import { buildIndexes, type InventoryIndexes } from './indexes.js';
import { TrustOracle } from './oracle.js';

/**
 * What the planner, the audit and the report all derive from one inventory: its look-up tables and
 * the trust oracle with its caches. Built once by {@link analyze}; its caches live and die with it.
 */
export interface Analysis {
  readonly inventory: Inventory;
  readonly indexes: InventoryIndexes;
  readonly oracle: TrustOracle;
}

/** The analysis of an inventory: its look-up tables and a trust oracle over them. */
export function analyze(inventory: Inventory): Analysis {
  const indexes = buildIndexes(inventory);
  return Object.freeze({ inventory, indexes, oracle: new TrustOracle(indexes) });
}

/** Whether `source` is an analysis rather than an inventory. */
export function isAnalysis(source: Inventory | Analysis): source is Analysis {
  return 'oracle' in source && 'indexes' in source;
}

/** `source` when it is an analysis, else a new analysis of the inventory. */
export function analysisOf(source: Inventory | Analysis): Analysis {
  return isAnalysis(source) ? source : analyze(source);
}

export { identityOf, type InventoryIndexes } from './indexes.js';
export { TrustOracle } from './oracle.js';
