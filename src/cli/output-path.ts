/**
 * What an `--out` path is before anything is written to it: the parents to create, and for a file
 * whether it is replaced atomically or written into.
 * @module
 */
import { lstatSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { errnoOf, outputError } from './output-errors.js';

/** How a file output is written. */
export type FileTarget =
  /** A regular file (or none yet) at `path`: written to a temporary sibling, then renamed over it. */
  | { readonly kind: 'replace'; readonly path: string; readonly mode?: number }
  /** A device, FIFO or descriptor (`/dev/fd/3`): opened for writing as it is, never replaced. */
  | { readonly kind: 'into'; readonly path: string }
  /** This process's standard output or error (`/dev/stdout`, `/dev/fd/2` …), written as a stream. */
  | { readonly kind: 'stream'; readonly fd: 1 | 2 };

/** `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1` …: names of a descriptor the caller handed over. */
const DESCRIPTOR_ALIAS = /^\/(?:dev\/(?:stdout|stderr|fd\/(\d+))|proc\/(self|thread-self|\d+)\/fd\/(\d+))$/;

/** The descriptor of this process that `path` names, if it names one. */
function descriptorOf(path: string): number | undefined {
  const m = DESCRIPTOR_ALIAS.exec(path);
  if (!m) return undefined;
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  if (m[2] !== undefined && /^\d+$/.test(m[2]) && Number(m[2]) !== process.pid) return undefined;
  return Number(m[1] ?? m[3]);
}

/** Stats of `path` without following a final link; undefined when nothing is there. */
export function lstatOrNone(path: string, shown: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw outputError(e, shown, 'cannot write there');
  }
}

/**
 * Creates the missing directories above and at `dir`, one at a time from the deepest that exists (a
 * bounded number of steps whatever the file system answers, where `mkdirSync(…, { recursive: true })`
 * spins forever under `/proc`); each failure names the directory.
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    let stats: Stats;
    try {
      stats = statSync(at);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw outputError(e, at, 'cannot use this directory');
      missing.push(at);
      if (dirname(at) === at) break;
      continue;
    }
    if (!stats.isDirectory()) throw new InputError('is not a directory, so nothing can be written below it', at);
    break;
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST' && statSync(at).isDirectory()) continue;
      throw outputError(e, at, 'cannot create this directory');
    }
  }
}

/**
 * Where and how to write the file output `out`: a regular file, or a link to one, is replaced (the
 * file the link names, so the link stays); a device, FIFO or descriptor alias is written into; a
 * directory, a block device, a dangling link or a path ending in `/` is refused. Creates the parents
 * of a new file.
 */
export function fileTarget(out: string): FileTarget {
  const path = resolve(out);
  if (out.endsWith(sep) || out.endsWith('/')) throw new InputError('--out names a directory (it ends in /); give a file path', out);
  const own = lstatOrNone(path, out);
  if (!own) {
    makeDirectories(dirname(path));
    return { kind: 'replace', path };
  }
  let stats = own;
  let real = path;
  if (own.isSymbolicLink()) {
    try {
      stats = statSync(path);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw new InputError('is a symbolic link to nothing; refusing to create a file where it points', out);
      throw outputError(e, out, 'cannot follow this link');
    }
    const fd = descriptorOf(path);
    if (fd !== undefined && !stats.isDirectory()) return fd === 1 || fd === 2 ? { kind: 'stream', fd } : { kind: 'into', path };
    if (stats.isFile()) real = realpathSync(path);
  }
  if (stats.isDirectory()) return refuseDirectory(out);
  if (stats.isBlockDevice()) throw new InputError('is a block device; refusing to write output onto a disk', out);
  if (stats.isFile()) return { kind: 'replace', path: real, mode: stats.mode & 0o777 };
  return { kind: 'into', path };
}

function refuseDirectory(out: string): never {
  throw new InputError('is a directory; give a file path (only --format terraform and script write directories)', out);
}
