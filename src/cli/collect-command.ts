/**
 * The `collect` command: writes an evidence bundle from the live AWS and Kubernetes APIs.
 * The SDKs are imported lazily, so `irsa2pi --version` never loads them.
 * @module
 */
import { progressTo } from './progress.js';
import { HELP_AFTER } from './help-text.js';
import { Option, type Command } from 'commander';
import { InputError, UsageError } from '../errors.js';
import { visible } from '../escape.js';
import { DEFAULT_DEADLINES, type RequestDeadlines } from '../sources/live/deadlines.js';

/** Exit code when the bundle was written but some cluster or region could not be read. */
export const EXIT_PARTIAL = 4;

/** The options that choose what live collection reads (`collect`, and `plan`/`report` without `--evidence`). */
export interface LiveOptions {
  profile?: string;
  region: string[];
  cluster: string[];
  context: string[];
  /** `--connect-timeout`, seconds. */
  connectTimeout?: string;
  /** `--request-timeout`, seconds. */
  requestTimeout?: string;
  quiet?: boolean;
}

interface CollectCliOptions extends LiveOptions {
  out: string;
}

/** The kind of output an evidence bundle directory is, in its marker. */
const EVIDENCE_KIND = 'evidence';

const collectRepeatable = (value: string, previous: string[]): string[] => [...previous, value];

/** True when any live option was given. */
export function hasLiveOptions(opts: LiveOptions): boolean {
  return !!opts.profile || opts.region.length > 0 || opts.cluster.length > 0 || opts.context.length > 0 || opts.connectTimeout !== undefined || opts.requestTimeout !== undefined;
}

/** Longest deadline accepted, in seconds: an hour is longer than any one page can need. */
const MAX_DEADLINE_SECONDS = 3600;

function deadlineMs(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const s = Number(value);
  if (!/^\s*\d*\.?\d+\s*$/.test(value) || !(s > 0) || s > MAX_DEADLINE_SECONDS) {
    throw new InputError(`${option} ${JSON.stringify(value)} is not a number of seconds above 0 and at most ${MAX_DEADLINE_SECONDS}`);
  }
  return Math.max(1, Math.round(s * 1000));
}

/** The request deadlines of `--connect-timeout` and `--request-timeout`. */
export function deadlinesFrom(opts: LiveOptions): RequestDeadlines {
  return {
    connectMs: deadlineMs('--connect-timeout', opts.connectTimeout, DEFAULT_DEADLINES.connectMs),
    requestMs: deadlineMs('--request-timeout', opts.requestTimeout, DEFAULT_DEADLINES.requestMs),
  };
}

/**
 * Collects live evidence into `dir` (written atomically; an existing directory must be empty or an
 * earlier bundle irsa2pi wrote, unchanged, which is checked before collecting) and returns how many
 * scan gaps it recorded.
 */
export async function collectTo(dir: string, opts: LiveOptions): Promise<{ files: number; gaps: number }> {
  const [{ collectEvidence }, { refuseOutputDirectory, writeDirectoryOutput }] = await Promise.all([import('../sources/live/collect.js'), import('./write-atomic.js')]);
  const deadlines = deadlinesFrom(opts);
  refuseOutputDirectory(dir, EVIDENCE_KIND);
  if (opts.profile) process.env.AWS_PROFILE = opts.profile;
  const progress = opts.quiet ? undefined : progressTo(process.stderr);
  let result;
  try {
    result = await collectEvidence({ regions: opts.region, clusters: opts.cluster, contexts: opts.context, deadlines, progress: progress?.line });
  } finally {
    progress?.done();
  }
  await writeDirectoryOutput(dir, result.files, EVIDENCE_KIND);
  return { files: result.files.length, gaps: result.gaps.length };
}

async function runCollect(opts: CollectCliOptions): Promise<number> {
  if (opts.out === '') throw new UsageError('--out is empty; give a directory', 'collect');
  const { files, gaps } = await collectTo(opts.out, opts);
  if (!opts.quiet) process.stderr.write(`irsa2pi: wrote ${files} files to ${visible(opts.out)}${gaps ? `, ${gaps} scan gap(s) in scan-gaps.json` : ''}\n`);
  return gaps > 0 ? EXIT_PARTIAL : 0;
}

/** Adds the live-collection options to a command. */
export function addLiveOptions(command: Command): Command {
  return command
    .option('--profile <name>', 'AWS profile (default: the SDK\'s default credential chain)')
    .addOption(new Option('--region <region>', 'AWS region to scan; with --evidence, the region whose clusters to keep (repeatable)').argParser(collectRepeatable).default([], 'the configured region'))
    .addOption(new Option('--cluster <name>', 'only this EKS cluster, live or of the --evidence bundle (repeatable)').argParser(collectRepeatable).default([], 'every cluster'))
    .addOption(
      new Option('--context <ctx>', 'kubeconfig context: NAME=CTX, or paired with --cluster in order (repeatable)')
        .argParser(collectRepeatable)
        .default([], 'the context whose server is the cluster endpoint'),
    )
    .option('--connect-timeout <seconds>', `deadline for connecting to AWS or a Kubernetes API (default: ${DEFAULT_DEADLINES.connectMs / 1000})`)
    .option('--request-timeout <seconds>', `deadline for one whole AWS or Kubernetes request, body included; missed ones are retried, then a scan gap (default: ${DEFAULT_DEADLINES.requestMs / 1000})`)
    .option('-q, --quiet', 'no progress on stderr');
}

/** Adds `collect` to the program; the action hands its exit code promise to `setCode`. */
export function addCollectCommand(program: Command, setCode: (code: Promise<number>) => void): void {
  addLiveOptions(
    program
      .command('collect')
      .description('read IAM, EKS and each cluster (read-only) and write an evidence bundle for `plan`')
      .showHelpAfterError("irsa2pi: see 'irsa2pi collect --help' for the usage")
      .addHelpText('after', HELP_AFTER.collect)
      .requiredOption('-o, --out <dir>', 'evidence bundle directory to write (atomically; replaces only an empty directory or an earlier bundle irsa2pi wrote)'),
  )
    .option('--debug', 'print stack traces of errors')
    .action((opts: CollectCliOptions) => setCode(runCollect(opts)));
}
