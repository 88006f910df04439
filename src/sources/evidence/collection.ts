import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { InputError } from '../../errors.js';
import type { Fields } from './fields.js';

/** A UTC time as `Date.prototype.toISOString` or `date -u +%Y-%m-%dT%H:%M:%SZ` writes it. */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Whether the date and time name a real instant: `Date.parse` also takes 2026-02-30 and 24:00. */
function exists(time: string): boolean {
  const ms = Date.parse(time);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === time.slice(0, 19);
}

function utcTime(f: Fields, key: string, where: string): string {
  const v = f.value[key];
  if (typeof v !== 'string' || !UTC_TIME.test(v) || !exists(v)) {
    throw new InputError(`${where} must be a UTC time such as 2026-01-01T00:00:00Z`, f.file);
  }
  return v;
}

/**
 * The times a collector recorded (`{"irsa2piCollection": {"files": {"<path>": "<time>"}}}`, paths
 * relative to the manifest's folder, below it), by the path the reader shows for each file.
 */
export function collectionTimes(f: Fields): Map<string, string> {
  const c = f.obj('irsa2piCollection');
  const times = new Map<string, string>();
  for (const key of ['startedAt', 'finishedAt']) if (c.value[key] !== undefined) utcTime(c, key, `${c.path}.${key}`);
  c.optStr('collector');
  const files = c.obj('files');
  const folder = dirname(f.file);
  const keyOf = new Map<string, string>();
  for (const path of Object.keys(files.value)) {
    const where = `${files.path}[${JSON.stringify(path)}]`;
    const local = normalize(path);
    if (path === '' || isAbsolute(path) || local === '..' || local.startsWith(`..${sep}`) || local.startsWith('../')) {
      throw new InputError(`${where} must be a path below the folder of this file`, f.file);
    }
    const shown = join(folder, local);
    const earlier = keyOf.get(shown);
    if (earlier !== undefined) throw new InputError(`${where} names the same file as ${JSON.stringify(earlier)}`, f.file);
    keyOf.set(shown, path);
    times.set(shown, utcTime(files, path, where));
  }
  return times;
}
