import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { visible } from '../escape.js';
import type { EmittedFile } from '../output-file.js';
import { errnoOf, outputError } from './output-errors.js';
import { markerFor, refuseUnlessReplaceable } from './output-marker.js';
import { fileTarget, lstatOrNone, makeDirectories } from './output-path.js';
import { cleanedUpOnSignal } from './signal-cleanup.js';
import { writeToStream } from './write-stream.js';

/** A name beside `target` no one can have predicted: `.<name>.<random>.<suffix>` (the name shortened to fit). */
function hiddenSibling(target: string, suffix: string): string {
  return join(dirname(target), `.${basename(target).slice(0, 100)}.${randomBytes(8).toString('hex')}.${suffix}`);
}

/**
 * The mode to create a file with so that the umask decides who may read it, as for any file a shell
 * creates: `0o644` asks for 0666 and `0o755` for 0777 before the umask; a mode with no group or other
 * bits (`0o600`) is private and stays so whatever the umask.
 */
export function creationMode(mode: number): number {
  return mode & 0o077 ? ((mode >> 6) & 0o7) * 0o111 : mode;
}

/** Writes every byte of every chunk of `content` to an open file (a write may take fewer than it was given). */
async function writeAll(file: FileHandle, content: string | Iterable<string>): Promise<void> {
  for (const chunk of typeof content === 'string' ? [content] : content) {
    const bytes = Buffer.from(chunk);
    for (let done = 0; done < bytes.length;) done += (await file.write(bytes, done, bytes.length - done)).bytesWritten;
  }
}

/**
 * Opens `path` (a device, FIFO or descriptor) for writing as it is. Opening a FIFO blocks until someone
 * reads it, as the shell's `>` would; after a second of that, stderr says what the run waits for.
 */
async function openInto(path: string, out: string): Promise<FileHandle> {
  const waiting = setTimeout(() => process.stderr.write(`irsa2pi: waiting for a reader of ${visible(out)}\n`), 1000);
  try {
    return await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOCTTY);
  } finally {
    clearTimeout(waiting);
  }
}

/**
 * Writes a file output whole or not at all. A regular file (or none) is written to a temporary sibling
 * created exclusively (`O_EXCL`, a random name: a planted link is never followed), then renamed over
 * it; a link to a regular file has the file it names replaced so, and stays a link. A device, FIFO or
 * descriptor alias (`/dev/null`, `/dev/fd/3`) is written into as it is, and `/dev/stdout` or `/dev/stderr`
 * is the process's own stream. SIGINT or SIGTERM during the
 * write removes the temporary file. Every failure is an {@link InputError} naming `out`.
 */
export async function writeFileAtomic(out: string, content: string | Iterable<string>, mode = 0o644): Promise<void> {
  const target = fileTarget(out);
  if (target.kind === 'stream') {
    await writeToStream(target.fd === 1 ? process.stdout : process.stderr, typeof content === 'string' ? [content] : content, out);
    return;
  }
  if (target.kind === 'into') {
    let file;
    try {
      file = await openInto(target.path, out);
      await writeAll(file, content);
    } catch (e) {
      throw outputError(e, out);
    } finally {
      await file?.close().catch(() => undefined);
    }
    return;
  }
  const tmp = hiddenSibling(target.path, 'irsa2pi-tmp');
  const removeTmp = () => {
    rmSync(tmp, { force: true });
  };
  await cleanedUpOnSignal(removeTmp, async () => {
    let file;
    try {
      file = await open(
        tmp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        target.mode === undefined ? creationMode(mode) : 0o600,
      );
      if (target.mode !== undefined) await file.chmod(target.mode);
      await writeAll(file, content);
      await file.datasync();
      await file.close();
      file = undefined;
      await rename(tmp, target.path);
    } catch (e) {
      await file?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw outputError(e, out);
    }
  });
}

/** `rel`, an emitted file's path, inside `root`; refused when it would leave it. */
function inside(root: string, rel: string): string {
  const path = normalize(rel);
  if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`) || path === '.')
    throw new Error(`emitted file path ${JSON.stringify(rel)} leaves its directory`);
  return join(root, path);
}

/** The directory `out` names, a link to a directory resolved (the link stays); refuses what may not be replaced. */
function directoryTarget(out: string, kind: string): { path: string; exists: boolean; mode: number | undefined } {
  let path = resolve(out);
  const own = lstatOrNone(path, out);
  if (!own) {
    makeDirectories(dirname(path));
    return { path, exists: false, mode: undefined };
  }
  let stats = own;
  if (own.isSymbolicLink()) {
    try {
      stats = statSync(path);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw new InputError('is a symbolic link to nothing; refusing to create a directory where it points', out);
      throw outputError(e, out, 'cannot follow this link');
    }
    if (stats.isDirectory()) path = realpathSync(path);
  }
  if (!stats.isDirectory()) throw new InputError('exists and is not a directory', out);
  const fromCwd = relative(path, process.cwd());
  if (fromCwd === '' || (!fromCwd.startsWith('..') && !isAbsolute(fromCwd))) {
    throw new InputError('--out is the current directory or holds it, which cannot be replaced; give a directory beside or below it', out);
  }
  refuseUnlessReplaceable(path, kind, out);
  return { path, exists: true, mode: stats.mode & 0o777 };
}

/**
 * The mode the umask leaves a new directory (0777 less the umask), found by making one inside `privateDir`
 * (which no one else can enter) rather than by `process.umask()`, which has to change the umask to read it.
 */
function newDirectoryMode(privateDir: string): number {
  const probe = join(privateDir, '.umask-probe');
  mkdirSync(probe, { mode: 0o777 });
  const mode = statSync(probe).mode & 0o777;
  rmdirSync(probe);
  return mode;
}

/**
 * Writes a directory of files whole or not at all: into a fresh private sibling directory (the
 * files and a marker, {@link markerFor}; a new directory, its subdirectories and files get the modes
 * the umask leaves, a replaced one keeps its mode), then the old directory, if any, is moved aside, checked again
 * and removed, and the new one renamed into place. An existing directory is replaced only when it is
 * empty or irsa2pi wrote it for the same `kind` of output and nothing was added or changed since
 * (see {@link refuseUnlessReplaceable}); anything else is refused with an {@link InputError}, as are
 * the current directory and what holds it. A link to a directory has the directory it names replaced.
 */
export function writeDirectoryAtomic(out: string, files: readonly EmittedFile[], kind = 'files'): void {
  const target = directoryTarget(out, kind);
  const parent = dirname(target.path);
  const prefix = `.${basename(target.path).slice(0, 100)}.irsa2pi-`;
  let tmp: string | undefined;
  let aside: string | undefined;
  try {
    tmp = mkdtempSync(join(parent, prefix));
    const mode = target.mode ?? newDirectoryMode(tmp);
    for (const f of [...files, markerFor(kind, files)]) {
      const path = inside(tmp, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content, { flag: 'wx', mode: creationMode(f.mode ?? 0o644) });
    }
    chmodSync(tmp, mode);
    if (target.exists) {
      aside = mkdtempSync(join(parent, `${prefix}old-`));
      const previous = join(aside, 'previous');
      renameSync(target.path, previous);
      try {
        refuseUnlessReplaceable(previous, kind, out);
        renameSync(tmp, target.path);
      } catch (e) {
        try {
          renameSync(previous, target.path);
        } catch {
          aside = undefined;
          throw new InputError(`the directory changed while it was replaced; the old one is kept at ${previous}`, out);
        }
        throw e;
      }
    } else {
      renameSync(tmp, target.path);
    }
    tmp = undefined;
  } catch (e) {
    throw outputError(e, out);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (aside) rmSync(aside, { recursive: true, force: true });
  }
}

/**
 * Throws, before any work is done, when {@link writeDirectoryAtomic} would refuse `out` for output of
 * `kind`; creates the missing parents of a new directory, so that one that cannot be made stops the run here.
 */
export function refuseOutputDirectory(out: string, kind: string): void {
  const path = resolve(out);
  const stats = lstatOrNone(path, out);
  if (stats?.isDirectory() || stats?.isSymbolicLink()) directoryTarget(out, kind);
  else if (stats) throw new InputError('exists and is not a directory', out);
  else makeDirectories(dirname(path));
}

/** Throws, before any work is done, when {@link writeFileAtomic} would refuse `out` as it is now (creating its missing parents). */
export function refuseOutputFile(out: string): void {
  fileTarget(out);
}

/** {@link writeDirectoryAtomic} for the CLI: SIGINT or SIGTERM during it leave no temporary directory behind. */
export async function writeDirectoryOutput(out: string, files: readonly EmittedFile[], kind: string): Promise<void> {
  await cleanedUpOnSignal(
    () => undefined,
    () => {
      writeDirectoryAtomic(out, files, kind);
      return Promise.resolve();
    },
  );
}
