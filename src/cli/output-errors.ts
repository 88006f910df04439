/**
 * What a failed write of `--out` tells the user: the operating system's reason as one line naming the
 * path, an {@link InputError} (exit 2), since a path the user gave is no bug of the tool.
 * @module
 */
import { InputError } from '../errors.js';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  EBUSY: 'device or resource busy',
  EXDEV: 'crosses file systems',
  ENXIO: 'no such device, or nothing reads it',
  EPIPE: 'the reading end was closed',
  EIO: 'input/output error',
  EINVAL: 'invalid argument',
  EMLINK: 'too many links',
  ETXTBSY: 'text file busy',
};

/** The `code` of a Node system error, when `e` is one. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * `e` as the user's error about `path` when it is a system error (`doing` says what failed, e.g.
 * "cannot write"); an {@link InputError} or anything else is returned as it is.
 */
export function outputError(e: unknown, path: string, doing = 'cannot write'): unknown {
  const code = errnoOf(e);
  if (e instanceof InputError || code === undefined) return e;
  return new InputError(`${doing}: ${REASONS[code] ?? code.toLowerCase()} (${code})`, path);
}
