export { PLAN_EMITTERS, type PlanFormat } from './plan/index.js';
export { REPORT_CHUNKS, REPORT_EMITTERS, type ReportEmitter, type ReportFormat } from './report/index.js';
export { reportSarif, reportSarifChunks, type SarifOptions } from './report/sarif.js';
export type { Emitter, EmitOptions, EmittedFile, Rendered } from './types.js';
