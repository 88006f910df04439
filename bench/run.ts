import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { generateBundle, generateWideRole, SIZES, type BenchSize, type BundleShape } from './generate.js';

interface Sample {
  ms: number;
  maxRssKb: number;
  size: number;
  bytes: number;
}

type Mode = 'idle' | 'floor' | 'plan' | 'report';

function measure(mode: Mode, dir: string): Sample {
  const out = execFileSync(process.execPath, [join(import.meta.dirname, 'measure.mjs'), mode, dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out) as Sample;
}

function best(mode: Mode, dir: string, runs: number): Sample {
  const samples = Array.from({ length: runs }, () => measure(mode, dir));
  return samples.sort((a, b) => a.ms - b.ms)[0]!;
}

const only = process.argv[2];
const root = mkdtempSync(join(tmpdir(), 'irsa2pi-bench-'));
const times = new Table({
  head: ['size', 'roles', 'clusters', 'SAs', 'pods', 'bundle MB', 'floor ms', 'plan ms', 'plan/floor', 'report ms', 'report/floor', 'plan growth'],
});
const peaks = new Table({
  head: [
    'size',
    'bundle MB',
    'floor peak MB',
    '/bundle',
    'plan peak MB',
    '/bundle',
    'over node -e 0 /bundle',
    'report peak MB',
    '/bundle',
    'over node -e 0 /bundle',
  ],
});
/** The peak of an empty Node process, the least of 5: what any Node program pays before its own work. */
const nodePeakKb = Math.min(
  ...Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], { encoding: 'utf8' })),
  ),
);
/** Bundles as kubectl and the AWS CLI print them (what users feed the tool), then the largest once more stripped to the fields irsa2pi reads, where its own work weighs most, and the two smaller ones with the Kubernetes Lists as `kubectl -o yaml` prints them. */
const RUNS: readonly { size: BenchSize; shape: BundleShape }[] = [
  ...SIZES.map((size) => ({ size, shape: 'kubectl' as const })),
  { size: SIZES[SIZES.length - 1]!, shape: 'skeleton' },
  ...SIZES.slice(0, 2).map((size) => ({ size, shape: 'kubectl-yaml' as const })),
];
const previous = new Map<BundleShape, Sample>();
try {
  for (const { size, shape } of RUNS.filter((r) => !only || r.size.name === only)) {
    const dir = join(root, `${size.name}-${shape}`);
    generateBundle(dir, size, 42, shape);
    const runs = size.name === 'large' || shape === 'kubectl-yaml' ? 2 : 3;
    const floor = best('floor', dir, runs);
    const full = best('plan', dir, runs);
    const report = best('report', dir, runs);
    const sas = size.clusters * (size.serviceAccountsPerCluster + 1);
    const name = shape === 'kubectl' ? size.name : `${size.name}, ${shape === 'skeleton' ? 'fields read only' : 'kubectl -o yaml'}`;
    const mb = (kb: number) => (kb / 1024).toFixed(0);
    const perBundle = (kb: number) => ((kb * 1024) / full.bytes).toFixed(2);
    times.push([
      name,
      size.roles + size.clusters,
      size.clusters,
      sas,
      sas * size.podsPerServiceAccount,
      (full.bytes / 1e6).toFixed(1),
      floor.ms.toFixed(0),
      full.ms.toFixed(0),
      (full.ms / floor.ms).toFixed(2),
      report.ms.toFixed(0),
      (report.ms / floor.ms).toFixed(2),
      previous.has(shape) ? `${(full.ms / previous.get(shape)!.ms).toFixed(1)}x` : '-',
    ]);
    peaks.push([
      name,
      (full.bytes / 1e6).toFixed(1),
      mb(floor.maxRssKb),
      perBundle(floor.maxRssKb),
      mb(full.maxRssKb),
      perBundle(full.maxRssKb),
      perBundle(full.maxRssKb - nodePeakKb),
      mb(report.maxRssKb),
      perBundle(report.maxRssKb),
      perBundle(report.maxRssKb - nodePeakKb),
    ]);
    previous.set(shape, full);
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.stdout.write(`${times.toString()}\n${peaks.toString()}\nnode -e 0 peaks at ${(nodePeakKb / 1024).toFixed(0)} MB\n`);
if (!only || SIZES.some((s) => s.name === only)) {
  const idle = best('idle', join(import.meta.dirname, '..', 'fixtures', 'demo'), 3);
  process.stdout.write(`peak of a process with the modules of plan loaded and nothing read: ${(idle.maxRssKb / 1024).toFixed(0)} MB\n`);
}

if (!only || only === 'wide') {
  const wideRoot = mkdtempSync(join(tmpdir(), 'irsa2pi-bench-wide-'));
  const wide = new Table({ head: ['service accounts trusted by one role', 'plan ms', 'growth'] });
  let before: Sample | undefined;
  try {
    for (const n of [200, 2000]) {
      const dir = join(wideRoot, String(n));
      generateWideRole(dir, n);
      const s = best('plan', dir, 3);
      wide.push([n, s.ms.toFixed(0), before ? `${(s.ms / before.ms).toFixed(1)}x for 10x` : '-']);
      before = s;
    }
  } finally {
    rmSync(wideRoot, { recursive: true, force: true });
  }
  process.stdout.write(`${wide.toString()}\n`);
}

if (!only || only === 'startup') {
  const time = (args: string[]) => {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, args);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const median = (args: string[]) => Array.from({ length: 15 }, () => time(args)).sort((a, b) => a - b)[7]!;
  const bin = join(import.meta.dirname, '..', 'bin', 'irsa2pi.js');
  const base = median(['-e', '0']);
  const version = median([bin, '--version']);
  const startup = new Table({ head: ['start-up (median of 15)', 'ms', 'over node -e 0'] });
  startup.push(['node -e 0', base.toFixed(0), '-'], ['irsa2pi --version', version.toFixed(0), `+${(version - base).toFixed(0)} ms`]);
  process.stdout.write(`${startup.toString()}\n`);
}
if (!only || only === 'api') await (await import('./api-calls.js')).apiCalls();
if (only === 'org') await (await import('./org.js')).orgBench();
