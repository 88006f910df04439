#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

process.stdout.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  if (process.stdout.listenerCount('error') === 1) throw error;
});
process.exitCode = await main(process.argv.slice(2));
