import type { Emitter } from './types.js';

/** The plan as the versioned JSON contract, two-space indented with a trailing newline. */
export const emitJson: Emitter = (plan) => ({ kind: 'text', text: `${JSON.stringify(plan, null, 2)}\n` });
