import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateBundle, SIZES, type BundleShape } from './generate.js';

/**
 * Before and after in one run: `npm run bench:compare -- <baseline checkout> [runs]` runs the built CLI of the
 * baseline checkout and of this one, interleaved, on the same generated bundles, and prints the median CPU time
 * (user + system), wall time and peak RSS of each, with after/before ratios. CPU time moves less than wall time
 * on a machine that is doing other work; both checkouts need `npm run build`.
 */
interface Sample {
  wall: number;
  cpu: number;
  rssKb: number;
}

const [baselineArg, runsArg] = process.argv.slice(2);
if (!baselineArg) {
  process.stderr.write('usage: npm run bench:compare -- <baseline checkout> [runs]\n');
  process.exit(2);
}
const checkouts = { before: resolve(baselineArg), after: resolve(import.meta.dirname, '..') };
for (const root of Object.values(checkouts)) {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    process.stderr.write(`bench:compare: ${root} is not built (run npm run build there)\n`);
    process.exit(2);
  }
}
const runs = Number(runsArg ?? 5);

function once(root: string, command: 'plan' | 'report', dir: string): Sample {
  const args = [join(root, 'bin', 'irsa2pi.js'), command, '--evidence', dir, '--format', command === 'plan' ? 'json' : 'markdown'];
  const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 24,
  });
  const lines = run.stderr.trim().split('\n');
  if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(' ')} exited ${String(run.status)}: ${lines.slice(-3).join(' / ')}`);
  const fields = lines.at(-1)?.split(' ').map(Number) ?? [];
  const [wall = NaN, user = NaN, system = NaN, rssKb = NaN] = fields;
  return { wall: wall * 1000, cpu: (user + system) * 1000, rssKb };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const cases: readonly { name: string; size: (typeof SIZES)[number]; shape: BundleShape }[] = [
  { name: 'small', size: SIZES[0]!, shape: 'kubectl' },
  { name: 'medium', size: SIZES[1]!, shape: 'kubectl' },
  { name: 'large, fields read only', size: SIZES[2]!, shape: 'skeleton' },
];
const root = mkdtempSync(join(tmpdir(), 'irsa2pi-compare-'));
const rows: string[] = [
  '| bundle | command | CPU before | CPU after | ratio | wall before | wall after | peak before | peak after | ratio |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
try {
  for (const c of cases) {
    const dir = join(root, c.name.replace(/\W+/g, '-'));
    generateBundle(dir, c.size, 42, c.shape);
    for (const command of ['plan', 'report'] as const) {
      const samples: Record<keyof typeof checkouts, Sample[]> = { before: [], after: [] };
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
        for (const which of order) samples[which].push(once(checkouts[which], command, dir));
      }
      const m = (which: keyof typeof checkouts, key: keyof Sample) => median(samples[which].map((s) => s[key]));
      const ms = (v: number) => `${v.toFixed(0)} ms`;
      const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
      rows.push(
        `| ${c.name} | ${command} | ${ms(m('before', 'cpu'))} | ${ms(m('after', 'cpu'))} | ${(m('after', 'cpu') / m('before', 'cpu')).toFixed(3)} | ${ms(m('before', 'wall'))} | ${ms(m('after', 'wall'))} | ${mb(m('before', 'rssKb'))} | ${mb(m('after', 'rssKb'))} | ${(m('after', 'rssKb') / m('before', 'rssKb')).toFixed(3)} |`,
      );
      process.stderr.write(`${rows.at(-1) ?? ''}\n`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
process.stdout.write(`medians of ${runs} interleaved runs\n${rows.join('\n')}\n`);
