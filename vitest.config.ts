import { defineConfig } from 'vitest/config';
import { writePrecompiled } from './tools/precompile-templates.mjs';

writePrecompiled();

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
