import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { plan } from '../src/plan/plan.js';
import { readEvidenceBundle } from '../src/sources/evidence/read-bundle.js';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const [mode, dir] = process.argv.slice(2) as ['floor' | 'plan', string];
const start = performance.now();
let count = 0;
if (mode === 'floor') {
  for (const f of files(dir)) {
    const parsed: unknown = JSON.parse(readFileSync(f, 'utf8'));
    if (parsed) count++;
  }
} else {
  const result = plan(readEvidenceBundle(dir), { generatedAt: 'bench' });
  count = result.associations.length;
}
const ms = performance.now() - start;
const bytes = files(dir).reduce((n, f) => n + statSync(f).size, 0);
process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, count, bytes }));
