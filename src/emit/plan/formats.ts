import type { PlanFormat } from './index.js';
import type { Emitter } from '../types.js';

/**
 * Each output format of `plan` as a loader of its emitter, so that a run loads only the emitter it
 * writes with (the Terraform, script and Markdown ones bring the templates and their runtime).
 */
export const PLAN_EMITTER_LOADERS: Readonly<Record<PlanFormat, () => Promise<Emitter>>> = {
  table: async () => (await import('./table.js')).emitTable,
  json: async () => (await import('./json.js')).emitJson,
  terraform: async () => (await import('./terraform/index.js')).emitTerraform,
  script: async () => (await import('./script/index.js')).emitScript,
  markdown: async () => (await import('./markdown.js')).emitPlanMarkdown,
};
