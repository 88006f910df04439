/**
 * The package as a user installs it: `npm pack`, `npm install -g` of the tarball into a temporary
 * prefix, then the installed command and library; and `npx` of the tarball (the two installs run
 * side by side, to keep the file near a minute). The tarball is packed from
 * the `dist/` that `npm test` has just built (`--ignore-scripts`, so packing never rebuilds `dist/`
 * under the feet of the other test files); its dependencies come from the npm cache, else the registry.
 * @module
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandResult } from '../helpers/exec.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DEMO = join(ROOT, 'fixtures', 'demo');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const NPM_TIMEOUT_MS = 240_000;
const QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

let dir: string;
let tarball: string;
let prefix: string;
let work: string;
let npx: CommandResult;

/** The environment of `npm test` without what npm sets for its scripts, which would steer the npm runs here. */
const CLEAN_ENV: Record<string, string | undefined> = {
  ...Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => /^npm_(config|lifecycle|package)_/i.test(k))
      .map((k) => [k, undefined]),
  ),
  NO_COLOR: '1',
  SOURCE_DATE_EPOCH: '1767225600',
};

/** Runs `cmd` outside the repository, as a user's shell would. */
function run(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return runCommand(cmd, args, { cwd: work, timeoutMs, env: CLEAN_ENV });
}

function ok(r: CommandResult, what: string): CommandResult {
  expect(r.code, `${what} exited ${r.code}:\n${r.stderr}`).toBe(0);
  return r;
}

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'dist/ is missing: run npm run build (npm test does)').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'irsa2pi-package-'));
  prefix = join(dir, 'prefix');
  work = join(dir, 'work');
  mkdirSync(work);
  const packed = ok(
    await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, timeoutMs: NPM_TIMEOUT_MS, env: CLEAN_ENV }),
    'npm pack',
  );
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, info!.filename);
  writeFileSync(join(dir, 'files.json'), JSON.stringify(info!.files.map((f) => f.path)));
  const before = npxEntries();
  const [installed, viaNpx] = await Promise.all([
    run('npm', ['install', '-g', '--prefix', prefix, ...QUIET, tarball], NPM_TIMEOUT_MS),
    run('npx', ['--yes', ...QUIET, '--package', tarball, 'irsa2pi', 'plan', '--help'], NPM_TIMEOUT_MS),
  ]);
  for (const entry of npxEntries()) if (!before.has(entry) && npxEntryNames(entry, tarball)) rmSync(entry, { recursive: true, force: true });
  ok(installed, 'npm install -g');
  npx = viaNpx;
}, NPM_TIMEOUT_MS * 2);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the CLI, the built modules and nothing of the sources or tests', () => {
    const files = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8')) as string[];
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/irsa2pi.js',
        'dist/cli/main.js',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/emit/precompiled-templates.js',
        'schemas/plan.schema.json',
        'schemas/report.schema.json',
        'package.json',
        'README.md',
      ]),
    );
    expect(files.filter((f) => /^(src|test|fixtures|bench|tools|templates|node_modules)\//.test(f))).toEqual([]);
  });

  it('installs as the irsa2pi command, which prints its version', async () => {
    const r = ok(await run(join(prefix, 'bin', 'irsa2pi'), ['--version']), 'irsa2pi --version');
    expect(r.stdout.trim()).toBe(PKG.version);
  });

  it('plans the demo bundle as the repository build does', async () => {
    const installed = ok(await run(join(prefix, 'bin', 'irsa2pi'), ['plan', '--evidence', DEMO, '--format', 'json']), 'installed irsa2pi plan');
    const local = ok(await run(process.execPath, [join(ROOT, 'bin', 'irsa2pi.js'), 'plan', '--evidence', DEMO, '--format', 'json']), 'repository irsa2pi plan');
    expect(JSON.parse(installed.stdout)).toMatchObject({ schemaVersion: 1, generatedAt: '2026-01-01T00:00:00.000Z', summary: { clusters: 3 } });
    expect(installed.stdout).toBe(local.stdout);
    const table = ok(await run(join(prefix, 'bin', 'irsa2pi'), ['plan', '--evidence', DEMO]), 'installed irsa2pi plan (table)');
    expect(table.stdout).toContain('Trust rewrites all proven equivalent');
  });

  it('writes the script and Terraform outputs from the templates precompiled into the installed package', async () => {
    for (const format of ['script', 'terraform']) {
      const out = join(work, format);
      const r = ok(
        await run(join(prefix, 'bin', 'irsa2pi'), ['plan', '--evidence', DEMO, '--format', format, '--out', out]),
        `installed irsa2pi --format ${format}`,
      );
      expect(r.stderr).toMatch(/wrote \d+ files/);
      expect(readdirSync(out)).toContain(format === 'script' ? 'migrate.sh' : 'associations.tf');
    }
  });

  it('refuses bad input with exit 2 and one line, as documented', async () => {
    const r = await run(join(prefix, 'bin', 'irsa2pi'), ['plan', '--evidence', join(work, 'nothing-here')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nothing-here');
  });

  it('is a library: the README example runs against the installed package', async () => {
    const lib = join(prefix, 'lib', 'node_modules', PKG.name);
    const script = join(work, 'use.mjs');
    writeFileSync(
      script,
      `import { readEvidenceBundle, plan, PLAN_EMITTERS, buildReport, REPORT_EMITTERS } from ${JSON.stringify(join(lib, 'dist', 'index.js'))};
const inventory = readEvidenceBundle(${JSON.stringify(DEMO)});
const result = plan(inventory);
const json = PLAN_EMITTERS.json(result, {});
let text = '';
if (json.kind === 'text') for (const piece of json.chunks?.() ?? [json.text]) text += piece;
process.stdout.write(JSON.stringify({ clusters: JSON.parse(text).summary.clusters, csv: REPORT_EMITTERS.csv(buildReport(inventory, result)).split('\\n')[0] }));
`,
    );
    const r = ok(await run(process.execPath, [script]), 'library use');
    expect(JSON.parse(r.stdout)).toEqual({ clusters: 3, csv: expect.stringMatching(/^cluster,account,region,namespace,service_account,role_arn,mechanism/) });
  });

  it('runs through npx from the tarball, without installing', () => {
    expect(ok(npx, 'npx irsa2pi').stdout).toContain('Usage: irsa2pi plan');
  });
});

/** The folders of npx's cache (`<npm cache>/_npx`), to remove the one this test made. */
function npxEntries(): Set<string> {
  const cache = join(homedir(), '.npm');
  const npx = join(cache, '_npx');
  return new Set(existsSync(npx) ? readdirSync(npx).map((e) => join(npx, e)) : []);
}

function npxEntryNames(entry: string, spec: string): boolean {
  const manifest = join(entry, 'package.json');
  return existsSync(manifest) && readFileSync(manifest, 'utf8').includes(spec);
}
