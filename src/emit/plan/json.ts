import { jsonChunks } from '../json-chunks.js';
import type { Emitter } from '../types.js';

/** The plan as the versioned JSON contract, two-space indented with a trailing newline; streamed by the CLI. */
export const emitJson: Emitter = (plan) => ({
  kind: 'text',
  get text() {
    return [...jsonChunks(plan)].join('');
  },
  chunks: () => jsonChunks(plan),
});
