import { emitJson } from './json.js';
import { emitTable } from './table.js';
import type { Emitter } from './types.js';

/** Every output format of `plan`, by name. */
export const PLAN_EMITTERS = {
  table: emitTable,
  json: emitJson,
} as const satisfies Record<string, Emitter>;

export type PlanFormat = keyof typeof PLAN_EMITTERS;

export type { Emitter, EmitOptions, EmittedFile, Rendered } from './types.js';
