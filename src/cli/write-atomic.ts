import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync, chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EmittedFile } from '../emit/types.js';

/** Writes every byte of `data`: a write may take fewer than it was given. */
function writeWhole(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done);
}

/** Writes a file whole or not at all: a temporary sibling, then a rename. Content may come in pieces. */
export function writeFileAtomic(path: string, content: string | Iterable<string>, mode?: number): void {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    if (typeof content === 'string') writeFileSync(tmp, content, { mode: mode ?? 0o644 });
    else {
      const fd = openSync(tmp, 'w', mode ?? 0o644);
      try {
        for (const chunk of content) writeWhole(fd, Buffer.from(chunk));
      } finally {
        closeSync(fd);
      }
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes a directory of files whole or not at all: into a temporary sibling directory, then the old
 * directory (if any) is swapped out and the new one renamed into place.
 */
export function writeDirectoryAtomic(dir: string, files: readonly EmittedFile[]): void {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.tmp-`));
  try {
    for (const f of files) {
      const path = join(tmp, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
      if (f.mode !== undefined) chmodSync(path, f.mode);
    }
    const old = existsSync(target) ? `${tmp}-old` : undefined;
    if (old) renameSync(target, old);
    renameSync(tmp, target);
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
