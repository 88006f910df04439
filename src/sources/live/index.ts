export { collectEvidence, COLLECTION_FILE, SCAN_GAPS_FILE, type CollectOptions, type CollectResult, type ScanGap } from './collect.js';
export { KUBE_RESOURCES } from './kubernetes.js';
