import { Command, CommanderError, Option } from 'commander';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { refuseRepeats } from './once.js';
import { visible } from '../escape.js';
import { batched } from './batched.js';
import { terminalColumns } from './terminal-width.js';
import { HELP_AFTER } from './help-text.js';
import { cleanedUpOnSignal } from './signal-cleanup.js';
import { atLeast, SEVERITIES, type Finding, type Severity } from '../findings/model.js';
import type { Inventory } from '../model/inventory.js';
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
  trustPolicyLimit?: string;
  staleDays?: string;
  wide?: boolean;
  debug?: boolean;
}

/** `--trust-policy-limit`: the account's IAM quota on a role trust policy, 2,048 unless raised, at most 4,096. */
function trustPolicyLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 4096)
    throw new InputError(`--trust-policy-limit must be a number of characters from 1 to 4096 (IAM's most), not ${JSON.stringify(value)}`);
  return Number(value);
}

/** `--stale-days`: days without use after which an IRSA role is stale, at most the 400 days IAM tracks use for. */
function staleDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,2}$/.test(value) || Number(value) > 400)
    throw new UsageError(
      `--stale-days must be a whole number of days from 1 to 400 (IAM reports a role's last use for the trailing 400 days), not ${JSON.stringify(value)}`,
      'report',
    );
  return Number(value);
}

/** The last second of year 9999: ISO 8601's four-digit years end there. */
const LAST_EPOCH_SECOND = 253_402_300_799;

/** `SOURCE_DATE_EPOCH` as an ISO time, undefined when unset or empty; any other value that is not seconds from 1970 to year 9999 is refused. */
function generatedAt(): string | undefined {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return undefined;
  if (!/^\d{1,12}$/.test(epoch) || Number(epoch) > LAST_EPOCH_SECOND) {
    throw new InputError(
      `SOURCE_DATE_EPOCH must be whole seconds since 1970 up to the end of year 9999 (${String(LAST_EPOCH_SECOND)}), not ${JSON.stringify(epoch)}`,
    );
  }
  return new Date(Number(epoch) * 1000).toISOString();
}

/** Picks the emitter for `--format` of `command`, or fails naming the formats there are. */
function pick<T>(emitters: Readonly<Record<string, T>>, format: string, command: string): T {
  const emitter = Object.hasOwn(emitters, format) ? emitters[format] : undefined;
  if (emitter === undefined) throw new UsageError(`unknown --format ${JSON.stringify(format)}; expected one of ${Object.keys(emitters).join(', ')}`, command);
  return emitter;
}

/**
 * Reads the bundle (noting ignored files on stderr) and plans it; without `--evidence`, collects it live
 * first (into `--save-evidence`, or a temporary directory removed afterwards).
 */
async function readAndPlan(opts: PlanCliOptions, command: string) {
  const [{ readEvidenceBundle }, { plan }, { analyze }, { filterInventory }] = await Promise.all([
    import('../sources/evidence/read-bundle.js'),
    import('../plan/plan.js'),
    import('../analysis/index.js'),
    import('../sources/evidence/filter.js'),
  ]);
  const offlineFilter = (inventory: Inventory, o: LiveOptions, bundle: string, cmd: string) => {
    try {
      return filterInventory(inventory, { clusters: o.cluster, regions: o.region }, bundle);
    } catch (e) {
      throw e instanceof InputError ? new UsageError(e.message, cmd) : e;
    }
  };
  let limit: number | undefined;
  try {
    limit = trustPolicyLimit(opts.trustPolicyLimit);
  } catch (e) {
    throw e instanceof InputError ? new UsageError(e.message, command) : e;
  }
  let dir = opts.evidence;
  let temporary: string | undefined;
  let gaps = 0;
  if (dir) {
    if (hasLiveOptions({ ...opts, region: [], cluster: [] }) || opts.saveEvidence) {
      throw new UsageError(
        'give either --evidence or the live options (--profile, --context, --connect-timeout, --request-timeout, --save-evidence), not both; --region and --cluster filter either',
        command,
      );
    }
  } else {
    dir = opts.saveEvidence ?? (temporary = mkdtempSync(join(tmpdir(), 'irsa2pi-evidence-')));
  }
  const bundle = dir;
  const removeTemporary = () => {
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  };
  const work = async () => {
    try {
      if (!opts.evidence) ({ gaps } = await collectTo(bundle, opts));
      const read = readEvidenceBundle(bundle);
      for (const ignored of read.ignored) process.stderr.write(`irsa2pi: ignored ${visible(ignored)} (not a regular file of AWS CLI or kubectl output)\n`);
      const analysis = analyze(opts.evidence ? offlineFilter(read, opts, bundle, command) : read);
      return { analysis, plan: plan(analysis, { generatedAt: generatedAt(), trustPolicyLimit: limit }), partial: gaps > 0, bundle };
    } finally {
      removeTemporary();
    }
  };
  return temporary ? cleanedUpOnSignal(removeTemporary, work) : work();
}

/** Writes text (whole or in pieces) to `--out` atomically, or to stdout, waiting for a slow reader. */
async function output(content: string | Iterable<string>, out: string | undefined): Promise<void> {
  if (!out) {
    const { writeToStream } = await import('./write-stream.js');
    await writeToStream(process.stdout, typeof content === 'string' ? [content] : batched(content), 'standard output');
    return;
  }
  const { writeFileAtomic } = await import('./write-atomic.js');
  await writeFileAtomic(out, typeof content === 'string' ? content : batched(content));
  process.stderr.write(`irsa2pi: wrote ${visible(out)}\n`);
}

/** The `plan` formats that write a directory, whose `--out` is checked before any work is done. */
const DIRECTORY_FORMATS: ReadonlySet<string> = new Set(['terraform', 'script']);

function exitFor(findings: readonly Finding[], failOn: Severity | undefined, partial: boolean): number {
  if (failOn && findings.some((f) => atLeast(f.severity, failOn))) return EXIT.findings;
  return partial ? EXIT.partial : EXIT.ok;
}

/** Refuses `--out ''`, which would otherwise mean stdout (or the current directory). */
function refuseEmptyOut(out: string | undefined, command: string): void {
  if (out === '') throw new UsageError('--out is empty; give a path', command);
}

async function runPlan(opts: PlanCliOptions): Promise<number> {
  refuseEmptyOut(opts.out, 'plan');
  const { PLAN_EMITTER_LOADERS } = await import('../emit/plan/formats.js');
  const emitter = await pick(PLAN_EMITTER_LOADERS, opts.format, 'plan')();
  if (opts.wide && opts.format !== 'table') throw new UsageError(`--wide is for --format table, not ${opts.format}`, 'plan');
  if (!opts.out && DIRECTORY_FORMATS.has(opts.format)) throw new UsageError(`--format ${opts.format} writes a directory: give --out <dir>`, 'plan');
  if (opts.out) {
    const { refuseOutputDirectory, refuseOutputFile } = await import('./write-atomic.js');
    if (DIRECTORY_FORMATS.has(opts.format)) refuseOutputDirectory(opts.out, opts.format);
    else refuseOutputFile(opts.out);
  }
  const { plan, partial } = await readAndPlan(opts, 'plan');
  const color = !opts.out && process.stdout.isTTY && !process.env.NO_COLOR;
  const width = terminalColumns(opts.out ? undefined : process.stdout, process.env);
  const rendered = emitter(plan, { color, wide: opts.wide ?? false, ...(width === undefined ? {} : { width }) });
  if (rendered.kind === 'files') {
    if (!opts.out) throw new UsageError(`--format ${opts.format} writes a directory: give --out <dir>`, 'plan');
    const { writeDirectoryOutput } = await import('./write-atomic.js');
    await writeDirectoryOutput(opts.out, rendered.files, opts.format);
    process.stderr.write(`irsa2pi: wrote ${rendered.files.length} files to ${visible(opts.out)}\n`);
  } else {
    await output(rendered.chunks?.() ?? rendered.text, opts.out);
  }
  return exitFor(plan.findings, opts.failOn, partial);
}

async function runReport(opts: PlanCliOptions): Promise<number> {
  refuseEmptyOut(opts.out, 'report');
  const [{ buildReport }, { REPORT_WRITER_LOADERS }] = await Promise.all([import('../report/index.js'), import('../emit/report/formats.js')]);
  const emitter = await pick(REPORT_WRITER_LOADERS, opts.format, 'report')();
  const days = staleDays(opts.staleDays);
  if (opts.out) (await import('./write-atomic.js')).refuseOutputFile(opts.out);
  const { analysis, plan, partial, bundle } = await readAndPlan(opts, 'report');
  const report = buildReport(analysis, plan, { staleDays: days });
  await output(emitter(report, bundle), opts.out);
  return exitFor(report.findings, opts.failOn, partial);
}

/** The line after a usage error: where the usage is, instead of all of it. */
export function helpPointer(command?: string): string {
  return `irsa2pi: see 'irsa2pi ${command ? `${command} ` : ''}--help' for the usage`;
}

function program(setCode: (code: Promise<number>) => void): Command {
  const cmd = new Command('irsa2pi')
    .description('Plan and audit the move of Amazon EKS workloads from IRSA to EKS Pod Identity')
    .version(version(), '-V, --version')
    .showHelpAfterError(helpPointer())
    .addHelpText('after', HELP_AFTER.program)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(visible(s, { keep: '\n' })),
      outputError: (s, write) => {
        write(`irsa2pi: ${visible(s.trimEnd().replace(/\s*\n\s*/g, ' '))}\n`);
      },
    });
  const evidenceCommand = (
    name: 'plan' | 'report',
    description: string,
    formats: string,
    defaultFormat: string,
    run: (opts: PlanCliOptions) => Promise<number>,
    own: (command: Command) => Command = (command) => command,
  ) => {
    const command = addLiveOptions(
      cmd
        .command(name)
        .description(description)
        .showHelpAfterError(helpPointer(name))
        .addHelpText('after', HELP_AFTER[name])
        .option('-e, --evidence <dir>', 'evidence bundle: a directory of AWS CLI and kubectl output (without it: collect live)'),
    )
      .option('--save-evidence <dir>', 'when collecting live, keep the evidence bundle in this directory')
      .option('-f, --format <format>', `output format: ${formats}`, defaultFormat)
      .option('-o, --out <path>', 'write the output to this path (atomically) instead of stdout')
      .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices([...SEVERITIES]))
      .option('--trust-policy-limit <characters>', "the accounts' IAM quota on a role trust policy (default 2048; 1 to 4096)")
      .option('--debug', 'print stack traces of errors');
    own(command).action((opts: PlanCliOptions) => {
      setCode(run(opts));
    });
    return refuseRepeats(command, name);
  };
  evidenceCommand(
    'plan',
    'read an evidence bundle and plan the migration of every IRSA identity to EKS Pod Identity',
    'table, json, markdown, terraform or script (the last two need --out <dir>)',
    'table',
    runPlan,
  ).option('--wide', 'table: every column and value whole (full ARNs), however wide; without it the table fits the terminal (COLUMNS, else 120)');
  evidenceCommand(
    'report',
    "read an evidence bundle and write the auditor's report: who can act as which role, findings, plan, evidence",
    'markdown, csv, json or sarif',
    'markdown',
    runReport,
    (command) => command.option('--stale-days <days>', 'irsa-role-stale: an IRSA role not used for more than this many days is stale (default 90; 1 to 400)'),
  );
  addCollectCommand(cmd, setCode);
  return cmd;
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  let pending: Promise<number> | undefined;
  try {
    if (argv.length === 0) throw new UsageError('give a command: plan, report or collect');
    await program((p) => {
      pending = p;
    }).parseAsync([...argv], { from: 'user' });
    return pending ? await pending : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.input;
    }
    if (e instanceof InputError) {
      process.stderr.write(`irsa2pi: error: ${e.line}\n`);
      if (e instanceof UsageError) process.stderr.write(`${helpPointer(e.command)}\n`);
      if (debug) process.stderr.write(`${visible(String(e.stack), { keep: '\n' })}\n`);
      return EXIT.input;
    }
    process.stderr.write(`irsa2pi: internal error: ${visible(e instanceof Error ? e.message : String(e))}\n`);
    if (debug) process.stderr.write(`${visible(String((e as Error).stack), { keep: '\n' })}\n`);
    else process.stderr.write('irsa2pi: run again with --debug for the stack trace\n');
    return EXIT.internal;
  }
}
