import { Command, CommanderError, Option } from 'commander';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { batched } from './batched.js';
import { atLeast, SEVERITIES, type Finding, type Severity } from '../findings/model.js';
import type { Report } from '../report/model.js';
import { addCollectCommand, addLiveOptions, collectTo, EXIT_PARTIAL, hasLiveOptions, type LiveOptions } from './collect-command.js';

/** Exit codes: documented in the README. */
export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3, partial: EXIT_PARTIAL } as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

interface PlanCliOptions extends LiveOptions {
  evidence?: string;
  saveEvidence?: string;
  format: string;
  out?: string;
  failOn?: Severity;
  debug?: boolean;
}

function generatedAt(): string | undefined {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString() : undefined;
}

/** Picks the emitter for `--format`, or fails naming the formats there are. */
function pick<T>(emitters: Readonly<Record<string, T>>, format: string): T {
  const emitter = emitters[format];
  if (!emitter) throw new InputError(`unknown --format ${JSON.stringify(format)}; expected one of ${Object.keys(emitters).join(', ')}`);
  return emitter;
}

/**
 * Reads the bundle (noting ignored files on stderr) and plans it; without `--evidence`, collects it live
 * first (into `--save-evidence`, or a temporary directory removed afterwards).
 */
async function readAndPlan(opts: PlanCliOptions) {
  const [{ readEvidenceBundle }, { plan }] = await Promise.all([import('../sources/evidence/read-bundle.js'), import('../plan/plan.js')]);
  let dir = opts.evidence;
  let temporary: string | undefined;
  let gaps = 0;
  if (dir) {
    if (hasLiveOptions(opts) || opts.saveEvidence) throw new InputError('give either --evidence or the live options (--profile, --region, --cluster, --context, --connect-timeout, --request-timeout, --save-evidence), not both');
  } else {
    dir = opts.saveEvidence ?? (temporary = mkdtempSync(join(tmpdir(), 'irsa2pi-evidence-')));
    try {
      ({ gaps } = await collectTo(dir, opts));
    } catch (e) {
      if (temporary) rmSync(temporary, { recursive: true, force: true });
      throw e;
    }
  }
  try {
    const inventory = readEvidenceBundle(dir);
    for (const ignored of inventory.ignored) process.stderr.write(`irsa2pi: ignored ${ignored} (not AWS CLI or kubectl output)\n`);
    return { inventory, plan: plan(inventory, { generatedAt: generatedAt() }), partial: gaps > 0 };
  } finally {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  }
}

/** Writes text (whole or in pieces) to `--out` atomically, or to stdout, waiting for a slow reader. */
async function output(content: string | Iterable<string>, out: string | undefined): Promise<void> {
  if (!out) {
    for (const chunk of typeof content === 'string' ? [content] : batched(content)) {
      if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    }
    return;
  }
  const { writeFileAtomic } = await import('./write-atomic.js');
  writeFileAtomic(out, typeof content === 'string' ? content : batched(content));
  process.stderr.write(`irsa2pi: wrote ${out}\n`);
}

function exitFor(findings: readonly Finding[], failOn: Severity | undefined, partial: boolean): number {
  if (failOn && findings.some((f) => atLeast(f.severity, failOn))) return EXIT.findings;
  return partial ? EXIT.partial : EXIT.ok;
}

async function runPlan(opts: PlanCliOptions): Promise<number> {
  const { PLAN_EMITTER_LOADERS } = await import('../emit/formats.js');
  const emitter = await pick(PLAN_EMITTER_LOADERS, opts.format)();
  const { plan, partial } = await readAndPlan(opts);
  const color = !opts.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const rendered = emitter(plan, { color });
  if (rendered.kind === 'files') {
    if (!opts.out) throw new InputError(`--format ${opts.format} writes a directory: give --out <dir>`);
    const { writeDirectoryAtomic } = await import('./write-atomic.js');
    writeDirectoryAtomic(opts.out, rendered.files);
    process.stderr.write(`irsa2pi: wrote ${rendered.files.length} files to ${opts.out}\n`);
  } else {
    await output(rendered.chunks?.() ?? rendered.text, opts.out);
  }
  return exitFor(plan.findings, opts.failOn, partial);
}

async function runReport(opts: PlanCliOptions): Promise<number> {
  const { buildReport, REPORT_CHUNKS } = await import('../report/index.js');
  const emitter = pick<(r: Report) => Iterable<string>>(REPORT_CHUNKS, opts.format);
  const { inventory, plan, partial } = await readAndPlan(opts);
  const report = buildReport(inventory, plan);
  await output(emitter(report), opts.out);
  return exitFor(report.findings, opts.failOn, partial);
}

function program(setCode: (code: Promise<number>) => void): Command {
  const cmd = new Command('irsa2pi')
    .description('Plan and audit the move of Amazon EKS workloads from IRSA to EKS Pod Identity')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const evidenceCommand = (name: string, description: string, formats: string, defaultFormat: string, run: (opts: PlanCliOptions) => Promise<number>) =>
    addLiveOptions(
      cmd
        .command(name)
        .description(description)
        .option('-e, --evidence <dir>', 'evidence bundle: a directory of AWS CLI and kubectl output (without it: collect live)'),
    )
      .option('--save-evidence <dir>', 'when collecting live, keep the evidence bundle in this directory')
      .option('-f, --format <format>', `output format: ${formats}`, defaultFormat)
      .option('-o, --out <path>', 'write the output to this path (atomically) instead of stdout')
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices([...SEVERITIES]))
      .option('--debug', 'print stack traces of errors')
      .action((opts: PlanCliOptions) => setCode(run(opts)));
  evidenceCommand('plan', 'read an evidence bundle and plan the migration of every IRSA identity to EKS Pod Identity', 'table, json, markdown, terraform or script (the last two need --out <dir>)', 'table', runPlan);
  evidenceCommand('report', 'read an evidence bundle and write the auditor\'s report: who can act as which role, findings, plan, evidence', 'markdown, csv or json', 'markdown', runReport);
  addCollectCommand(cmd, setCode);
  return cmd;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let pending: Promise<number> | undefined;
  try {
    await program((p) => (pending = p)).parseAsync([...argv], { from: 'user' });
    return pending ? await pending : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.input;
    }
    if (e instanceof InputError) {
      process.stderr.write(`irsa2pi: error: ${e.line}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      return EXIT.input;
    }
    process.stderr.write(`irsa2pi: internal error: ${(e as Error).message}\n`);
    if (debug) process.stderr.write(`${(e as Error).stack}\n`);
    else process.stderr.write('irsa2pi: run again with --debug for the stack trace\n');
    return EXIT.internal;
  }
}
