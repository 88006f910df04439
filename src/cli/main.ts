import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { SEVERITIES, type Severity } from '../findings/model.js';
import type { Emitter } from '../emit/types.js';
import { addCollectCommand } from './collect-command.js';

/** Exit codes: documented in the README. */
export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3 } as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

interface PlanCliOptions {
  evidence: string;
  format: string;
  out?: string;
  failOn?: Severity;
  debug?: boolean;
}

function generatedAt(): string | undefined {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString() : undefined;
}

async function runPlan(opts: PlanCliOptions): Promise<number> {
  const [{ readEvidenceBundle }, { plan }, { PLAN_EMITTERS }, { writeFileAtomic, writeDirectoryAtomic }] = await Promise.all([
    import('../sources/evidence/read-bundle.js'),
    import('../plan/plan.js'),
    import('../emit/index.js'),
    import('./write-atomic.js'),
  ]);
  const emitter = (PLAN_EMITTERS as Record<string, Emitter>)[opts.format];
  if (!emitter) throw new InputError(`unknown --format ${JSON.stringify(opts.format)}; expected one of ${Object.keys(PLAN_EMITTERS).join(', ')}`);
  const inventory = readEvidenceBundle(opts.evidence);
  for (const ignored of inventory.ignored) process.stderr.write(`irsa2pi: ignored ${ignored} (not AWS CLI or kubectl output)\n`);
  const result = plan(inventory, { generatedAt: generatedAt() });
  const color = !opts.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const rendered = emitter(result, { color });
  if (rendered.kind === 'files') {
    if (!opts.out) throw new InputError(`--format ${opts.format} writes a directory: give --out <dir>`);
    writeDirectoryAtomic(opts.out, rendered.files);
    process.stderr.write(`irsa2pi: wrote ${rendered.files.length} files to ${opts.out}\n`);
  } else if (opts.out) {
    writeFileAtomic(opts.out, rendered.text);
    process.stderr.write(`irsa2pi: wrote ${opts.out}\n`);
  } else {
    process.stdout.write(rendered.text);
  }
  if (opts.failOn && result.findings.some((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(opts.failOn!))) return EXIT.findings;
  return EXIT.ok;
}

async function runReport(opts: PlanCliOptions): Promise<number> {
  const [{ readEvidenceBundle }, { plan }, { buildReport, REPORT_EMITTERS }, { writeFileAtomic }] = await Promise.all([
    import('../sources/evidence/read-bundle.js'),
    import('../plan/plan.js'),
    import('../report/index.js'),
    import('./write-atomic.js'),
  ]);
  const emitter = (REPORT_EMITTERS as Record<string, (r: import('../report/model.js').Report) => string>)[opts.format];
  if (!emitter) throw new InputError(`unknown --format ${JSON.stringify(opts.format)}; expected one of ${Object.keys(REPORT_EMITTERS).join(', ')}`);
  const inventory = readEvidenceBundle(opts.evidence);
  for (const ignored of inventory.ignored) process.stderr.write(`irsa2pi: ignored ${ignored} (not AWS CLI or kubectl output)\n`);
  const report = buildReport(inventory, plan(inventory, { generatedAt: generatedAt() }));
  const text = emitter(report);
  if (opts.out) {
    writeFileAtomic(opts.out, text);
    process.stderr.write(`irsa2pi: wrote ${opts.out}\n`);
  } else {
    process.stdout.write(text);
  }
  if (opts.failOn && report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= SEVERITIES.indexOf(opts.failOn!))) return EXIT.findings;
  return EXIT.ok;
}

function program(setCode: (code: Promise<number>) => void): Command {
  const cmd = new Command('irsa2pi')
    .description('Plan and audit the move of Amazon EKS workloads from IRSA to EKS Pod Identity')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cmd
    .command('plan')
    .description('read an evidence bundle and plan the migration of every IRSA identity to EKS Pod Identity')
    .requiredOption('-e, --evidence <dir>', 'evidence bundle: a directory of AWS CLI and kubectl output')
    .option('-f, --format <format>', 'output format: table, json, or another of the emitters (see README)', 'table')
    .option('-o, --out <path>', 'write the output to this file (atomically) instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices([...SEVERITIES]))
    .option('--debug', 'print stack traces of errors')
    .action((opts: PlanCliOptions) => setCode(runPlan(opts)));
  cmd
    .command('report')
    .description('read an evidence bundle and write the auditor\'s report: who can act as which role, findings, plan, evidence')
    .requiredOption('-e, --evidence <dir>', 'evidence bundle: a directory of AWS CLI and kubectl output')
    .option('-f, --format <format>', 'output format: markdown, csv or json', 'markdown')
    .option('-o, --out <path>', 'write the output to this file (atomically) instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices([...SEVERITIES]))
    .option('--debug', 'print stack traces of errors')
    .action((opts: PlanCliOptions) => setCode(runReport(opts)));
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
