// Runs one measurement in a fresh process against the built CLI modules (dist/), as users run them: idle (the
// modules loaded, nothing read), floor (JSON.parse, or the yaml package for YAML, of every file whole), plan or
// report, writing the output to /dev/null the way the CLI writes it.
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** @returns {string[]} */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const [mode, dir] = process.argv.slice(2);
const dist = new URL('../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const [{ readEvidenceBundle }, { analyze }, { plan }, { emitJson }, { batched }, report, reportEmitters] = await Promise.all([
  load('sources/evidence/read-bundle.js'),
  load('analysis/index.js'),
  load('plan/plan.js'),
  load('emit/plan/json.js'),
  load('cli/batched.js'),
  mode === 'report' ? load('report/index.js') : undefined,
  mode === 'report' ? load('emit/report/index.js') : undefined,
]);
const start = performance.now();
let size = 0;
if (mode === 'floor') {
  const yaml = files(dir).some((f) => f.endsWith('.yaml')) ? await import('yaml') : undefined;
  const parse = (f) => (f.endsWith('.yaml') ? yaml.parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()) : JSON.parse(readFileSync(f, 'utf8')));
  for (const f of files(dir)) size += JSON.stringify(parse(f) === null).length;
} else if (mode !== 'idle') {
  const analysis = analyze(readEvidenceBundle(dir));
  const result = plan(analysis, { generatedAt: 'bench' });
  const sink = openSync('/dev/null', 'w');
  const pieces = mode === 'report' ? reportEmitters.REPORT_CHUNKS.markdown(report.buildReport(analysis, result)) : emitJson(result).chunks();
  for (const piece of batched(pieces)) size += writeSync(sink, piece);
  closeSync(sink);
}
const ms = performance.now() - start;
const bytes = files(dir).reduce((n, f) => n + statSync(f).size, 0);
process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS, size, bytes }));
