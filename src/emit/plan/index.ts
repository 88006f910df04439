import { emitJson } from './json.js';
import { emitPlanMarkdown } from './markdown.js';
import { emitScript } from './script/index.js';
import { emitTable } from './table.js';
import { emitTerraform } from './terraform/index.js';
import type { Emitter } from '../types.js';

/** Every output format of `plan`, by name. */
export const PLAN_EMITTERS = {
  table: emitTable,
  json: emitJson,
  terraform: emitTerraform,
  script: emitScript,
  markdown: emitPlanMarkdown,
} as const satisfies Record<string, Emitter>;

/** The name of an output format of `plan`. */
export type PlanFormat = keyof typeof PLAN_EMITTERS;
