/**
 * The `collect` command: writes an evidence bundle from the live AWS and Kubernetes APIs.
 * The SDKs are imported lazily, so `irsa2pi --version` never loads them.
 * @module
 */
import { progressTo } from './progress.js';
import { Option, type Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Exit code when the bundle was written but some cluster or region could not be read. */
export const EXIT_PARTIAL = 4;

interface CollectCliOptions {
  out: string;
  region: string[];
  cluster: string[];
  context: string[];
  quiet?: boolean;
}

const collectRepeatable = (value: string, previous: string[]): string[] => [...previous, value];

/** `--out` replaces the directory: only ever an empty one or an earlier bundle (never, say, `$HOME`). */
function refuseToReplaceForeignDirectory(out: string): void {
  let entries: string[];
  try {
    if (!statSync(out).isDirectory()) throw new InputError('--out exists and is not a directory', out);
    entries = readdirSync(out);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return; // does not exist yet
  }
  const foreign = entries.filter((e) => !BUNDLE_ENTRIES.has(e));
  if (foreign.length > 0) {
    throw new InputError(`--out would replace a directory that is not an evidence bundle (it holds ${foreign.slice(0, 3).join(', ')}); give a new or empty directory`, out);
  }
}

const BUNDLE_ENTRIES = new Set(['aws', 'kubernetes', 'scan-gaps.json']);

async function runCollect(opts: CollectCliOptions): Promise<number> {
  const [{ collectEvidence }, { writeDirectoryAtomic }] = await Promise.all([import('../sources/live/collect.js'), import('./write-atomic.js')]);
  refuseToReplaceForeignDirectory(opts.out);
  const progress = opts.quiet ? undefined : progressTo(process.stderr);
  let result;
  try {
    result = await collectEvidence({ regions: opts.region, clusters: opts.cluster, contexts: opts.context, progress: progress?.line });
  } finally {
    progress?.done();
  }
  writeDirectoryAtomic(opts.out, result.files);
  if (!opts.quiet) {
    const gaps = result.gaps.length ? `, ${result.gaps.length} scan gap(s) in scan-gaps.json` : '';
    process.stderr.write(`irsa2pi: wrote ${result.files.length} files to ${opts.out}${gaps}\n`);
  }
  return result.gaps.length > 0 ? EXIT_PARTIAL : 0;
}

/** Adds `collect` to the program; the action hands its exit code promise to `setCode`. */
export function addCollectCommand(program: Command, setCode: (code: Promise<number>) => void): void {
  program
    .command('collect')
    .description('read IAM, EKS and each cluster (read-only) and write an evidence bundle for `plan`')
    .requiredOption('-o, --out <dir>', 'evidence bundle directory to write (atomically; replaces it)')
    .addOption(new Option('--region <region>', 'AWS region to scan (repeatable)').argParser(collectRepeatable).default([], 'the configured region'))
    .addOption(new Option('--cluster <name>', 'only this EKS cluster (repeatable)').argParser(collectRepeatable).default([], 'every cluster'))
    .addOption(
      new Option('--context <ctx>', 'kubeconfig context: NAME=CTX, or paired with --cluster in order (repeatable)')
        .argParser(collectRepeatable)
        .default([], 'the context whose server is the cluster endpoint'),
    )
    .option('-q, --quiet', 'no progress on stderr')
    .option('--debug', 'print stack traces of errors')
    .action((opts: CollectCliOptions) => setCode(runCollect(opts)));
}
