export { buildReport, type ReportOptions } from './build.js';
export { groupFindings } from '../findings/merge.js';
export { ruleInfo } from '../findings/catalogue.js';
export type * from './model.js';
export { REPORT_SCHEMA_VERSION } from './model.js';
