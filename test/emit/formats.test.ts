import { expect, it } from 'vitest';
import { PLAN_EMITTER_LOADERS } from '../../src/emit/formats.js';
import { PLAN_EMITTERS } from '../../src/emit/index.js';

it('loads, for each plan format, the emitter the library exports for it', async () => {
  expect(Object.keys(PLAN_EMITTER_LOADERS).sort()).toEqual(Object.keys(PLAN_EMITTERS).sort());
  for (const [format, load] of Object.entries(PLAN_EMITTER_LOADERS)) expect(await load(), format).toBe(PLAN_EMITTERS[format as keyof typeof PLAN_EMITTERS]);
});
