/**
 * The `collect` command: writes an evidence bundle from the live AWS and Kubernetes APIs.
 * The SDKs are imported lazily, so `irsa2pi --version` never loads them.
 * @module
 */
import { progressTo } from './progress.js';
import { HELP_AFTER } from './help-text.js';
import { Option, type Command } from 'commander';
import { refuseRepeats } from './once.js';
import { InputError, UsageError } from '../errors.js';
import { visible } from '../escape.js';
import { DEFAULT_DEADLINES, type RequestDeadlines } from '../sources/live/deadlines.js';
import { DEFAULT_ASSUME_ROLE, DEFAULT_ROLE_SESSION_NAME, type AccountSelection } from '../sources/live/accounts.js';

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
  /** `--organization`: every active account of the AWS Organization. */
  organization?: boolean;
  /** `--ou`: the active accounts of this organisational unit and the units below it. */
  ou?: string;
  /** `--account` (repeatable). */
  account?: string[];
  assumeRole?: string;
  externalId?: string;
  roleSessionName?: string;
  /** `--concurrency`: requests and clusters in flight at once. */
  concurrency?: string;
}

interface CollectCliOptions extends LiveOptions {
  out: string;
}

/** The kind of output an evidence bundle directory is, in its marker. */
const EVIDENCE_KIND = 'evidence';

const collectRepeatable = (value: string, previous: string[]): string[] => [...previous, value];

/** True when any live option was given. */
export function hasLiveOptions(opts: LiveOptions): boolean {
  return (
    !!opts.profile ||
    opts.region.length > 0 ||
    opts.cluster.length > 0 ||
    opts.context.length > 0 ||
    opts.connectTimeout !== undefined ||
    opts.requestTimeout !== undefined ||
    !!opts.organization ||
    opts.ou !== undefined ||
    (opts.account ?? []).length > 0 ||
    opts.assumeRole !== undefined ||
    opts.externalId !== undefined ||
    opts.roleSessionName !== undefined ||
    opts.concurrency !== undefined
  );
}

const ACCOUNT_ID = /^\d{12}$/;
const OU_ID = /^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
const ROLE_NAME = /^(?:[\w+=,.@-]{1,128}\/){0,8}[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_CONCURRENCY = 64;

function checked(option: string, value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new InputError(`${option} ${JSON.stringify(value)} is not ${what}`);
  return value;
}

/** The accounts `--organization`, `--ou` and `--account` select; undefined: only the caller's own account. */
export function accountSelectionFrom(opts: LiveOptions): AccountSelection | undefined {
  const accounts = (opts.account ?? []).map((a) => checked('--account', a, ACCOUNT_ID, 'an AWS account id (12 digits)'));
  const ou = opts.ou === undefined ? undefined : checked('--ou', opts.ou, OU_ID, 'an organisational unit id (ou-…) or root id (r-…)');
  if (opts.organization && ou !== undefined)
    throw new InputError(`--ou ${ou} scans one unit of the organisation and --organization all of it; give one of them`);
  if (!opts.organization && ou === undefined && accounts.length === 0) {
    const stray = (['assumeRole', 'externalId', 'roleSessionName'] as const).find((k) => opts[k] !== undefined);
    if (stray)
      throw new InputError(
        `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to the accounts of --organization, --ou or --account; give one of those`,
      );
    return undefined;
  }
  return {
    organization: !!opts.organization || ou !== undefined,
    ...(ou !== undefined ? { ou } : {}),
    accounts,
    assumeRole:
      opts.assumeRole === undefined ? DEFAULT_ASSUME_ROLE : checked('--assume-role', opts.assumeRole, ROLE_NAME, 'an IAM role name (optionally path/name)'),
    ...(opts.externalId !== undefined
      ? { externalId: checked('--external-id', opts.externalId, EXTERNAL_ID, 'an external id (2 to 1224 of A-Z a-z 0-9 +=,.@:/-_)') }
      : {}),
    ...(opts.roleSessionName !== undefined
      ? { roleSessionName: checked('--role-session-name', opts.roleSessionName, SESSION_NAME, 'a role session name (2 to 64 of A-Z a-z 0-9 +=,.@-_)') }
      : {}),
  };
}

/** `--concurrency`, or undefined for the collector's default. */
export function concurrencyFrom(opts: LiveOptions): number | undefined {
  if (opts.concurrency === undefined) return undefined;
  const n = Number(opts.concurrency);
  if (!/^\s*\d+\s*$/.test(opts.concurrency) || n < 1 || n > MAX_CONCURRENCY) {
    throw new InputError(`--concurrency ${JSON.stringify(opts.concurrency)} is not a whole number from 1 to ${MAX_CONCURRENCY}`);
  }
  return n;
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
  const [{ collectEvidence }, { refuseOutputDirectory, writeDirectoryOutput }] = await Promise.all([
    import('../sources/live/collect.js'),
    import('./write-atomic.js'),
  ]);
  const deadlines = deadlinesFrom(opts);
  const accounts = accountSelectionFrom(opts);
  const concurrency = concurrencyFrom(opts);
  refuseOutputDirectory(dir, EVIDENCE_KIND);
  if (opts.profile) process.env.AWS_PROFILE = opts.profile;
  const started = Date.now();
  const live = { done: 0, total: 0, calls: 0 };
  const status = accounts
    ? () => `irsa2pi: ${live.done}/${live.total} accounts, ${live.calls} API calls, ${Math.round((Date.now() - started) / 1000)} s`
    : undefined;
  const progress = opts.quiet ? undefined : progressTo(process.stderr, status);
  let result;
  try {
    result = await collectEvidence({
      ...(accounts !== undefined && progress
        ? {
            onAccounts: (done: number, total: number) => {
              Object.assign(live, { done, total });
              progress.refresh(true);
            },
            onAwsOperation: () => {
              live.calls++;
              progress.refresh();
            },
          }
        : {}),
      regions: opts.region,
      clusters: opts.cluster,
      contexts: opts.context,
      deadlines,
      progress: progress?.line,
      ...(accounts !== undefined ? { accounts } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
    });
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
    .option('--profile <name>', "AWS profile (default: the SDK's default credential chain)")
    .addOption(
      new Option(
        '--region <region>',
        'AWS region to scan (repeatable); all: every region enabled for each account; with --evidence, the region whose clusters to keep',
      )
        .argParser(collectRepeatable)
        .default([], 'the configured region'),
    )
    .addOption(
      new Option('--cluster <name>', 'only this EKS cluster, live or of the --evidence bundle (repeatable)')
        .argParser(collectRepeatable)
        .default([], 'every cluster'),
    )
    .addOption(
      new Option('--context <ctx>', 'kubeconfig context: NAME=CTX, or paired with --cluster in order (repeatable)')
        .argParser(collectRepeatable)
        .default([], 'the context whose server is the cluster endpoint'),
    )
    .option('--connect-timeout <seconds>', `deadline for connecting to AWS or a Kubernetes API (default: ${DEFAULT_DEADLINES.connectMs / 1000})`)
    .option(
      '--request-timeout <seconds>',
      `deadline for one whole AWS or Kubernetes request, body included; missed ones are retried, then a scan gap (default: ${DEFAULT_DEADLINES.requestMs / 1000})`,
    )
    .option('--organization', 'scan every active account of the AWS Organization (from the management or a delegated administrator account)')
    .option('--ou <id>', 'scan only the active accounts of this organisational unit and the units below it')
    .addOption(new Option('--account <id>', 'scan this account (repeatable)').argParser(collectRepeatable).default([], "the caller's account"))
    .option('--assume-role <name>', `role assumed in each scanned account (default: ${DEFAULT_ASSUME_ROLE})`)
    .option('--external-id <id>', 'external id for --assume-role')
    .option('--role-session-name <name>', `session name of the assumed roles (default: ${DEFAULT_ROLE_SESSION_NAME})`)
    .option('--concurrency <n>', 'AWS requests and clusters in flight at once, across the whole scan (default: 8)')
    .option('-q, --quiet', 'no progress on stderr');
}

/** Adds `collect` to the program; the action hands its exit code promise to `setCode`. */
export function addCollectCommand(program: Command, setCode: (code: Promise<number>) => void): void {
  const command = addLiveOptions(
    program
      .command('collect')
      .description('read IAM, EKS and each cluster (read-only) and write an evidence bundle for `plan`')
      .showHelpAfterError("irsa2pi: see 'irsa2pi collect --help' for the usage")
      .addHelpText('after', HELP_AFTER.collect)
      .requiredOption(
        '-o, --out <dir>',
        'evidence bundle directory to write (atomically; replaces only an empty directory or an earlier bundle irsa2pi wrote)',
      ),
  )
    .option('--debug', 'print stack traces of errors')
    .action((opts: CollectCliOptions) => {
      setCode(runCollect(opts));
    });
  refuseRepeats(command, 'collect');
}
