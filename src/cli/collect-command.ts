/**
 * The `collect` command: writes an evidence bundle from the live AWS and Kubernetes APIs.
 * The SDKs are imported lazily, so `irsa2pi --version` never loads them.
 * @module
 */
import { progressTo } from './progress.js';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { visible } from '../escape.js';

/** Exit code when the bundle was written but some cluster or region could not be read. */
export const EXIT_PARTIAL = 4;

/** The options that choose what live collection reads (`collect`, and `plan`/`report` without `--evidence`). */
export interface LiveOptions {
  profile?: string;
  region: string[];
  cluster: string[];
  context: string[];
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
  return !!opts.profile || opts.region.length > 0 || opts.cluster.length > 0 || opts.context.length > 0;
}

/**
 * Collects live evidence into `dir` (written atomically; an existing directory must be empty or an
 * earlier bundle irsa2pi wrote, unchanged, which is checked before collecting) and returns how many
 * scan gaps it recorded.
 */
export async function collectTo(dir: string, opts: LiveOptions): Promise<{ files: number; gaps: number }> {
  const [{ collectEvidence }, { refuseOutputDirectory, writeDirectoryOutput }] = await Promise.all([import('../sources/live/collect.js'), import('./write-atomic.js')]);
  refuseOutputDirectory(dir, EVIDENCE_KIND);
  if (opts.profile) process.env.AWS_PROFILE = opts.profile;
  const progress = opts.quiet ? undefined : progressTo(process.stderr);
  let result;
  try {
    result = await collectEvidence({ regions: opts.region, clusters: opts.cluster, contexts: opts.context, progress: progress?.line });
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
    .addOption(new Option('--region <region>', 'AWS region to scan (repeatable)').argParser(collectRepeatable).default([], 'the configured region'))
    .addOption(new Option('--cluster <name>', 'only this EKS cluster (repeatable)').argParser(collectRepeatable).default([], 'every cluster'))
    .addOption(
      new Option('--context <ctx>', 'kubeconfig context: NAME=CTX, or paired with --cluster in order (repeatable)')
        .argParser(collectRepeatable)
        .default([], 'the context whose server is the cluster endpoint'),
    )
    .option('-q, --quiet', 'no progress on stderr');
}

/** Adds `collect` to the program; the action hands its exit code promise to `setCode`. */
export function addCollectCommand(program: Command, setCode: (code: Promise<number>) => void): void {
  addLiveOptions(
    program
      .command('collect')
      .description('read IAM, EKS and each cluster (read-only) and write an evidence bundle for `plan`')
      .showHelpAfterError("irsa2pi: see 'irsa2pi collect --help' for the usage")
      .requiredOption('-o, --out <dir>', 'evidence bundle directory to write (atomically; replaces only an empty directory or an earlier bundle irsa2pi wrote)'),
  )
    .option('--debug', 'print stack traces of errors')
    .action((opts: CollectCliOptions) => setCode(runCollect(opts)));
}
