import { InputError } from '../../errors.js';
import type { Fields } from './fields.js';

/** A time as the AWS CLI prints it (`2024-04-16T09:12:44+00:00`, `…44.569000+00:00`) or as ISO 8601 with `Z`. */
const AWS_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** The instant `text` names, in milliseconds, or undefined when it is not a real date and time. */
function instant(text: string): number | undefined {
  const m = AWS_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  if (date.getUTCDate() !== day) return undefined;
  const local = date.getTime();
  const [sign, offsetHours, offsetMinutes] = [m[8], Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const ms = local - offset * 60_000 + fraction;
  return new Date(ms).getUTCFullYear() > 9999 ? undefined : ms;
}

/**
 * The optional time at `key`, as a UTC `toISOString` time; a value that is not a real date and time
 * is bad input naming the file and the field's path.
 */
export function optAwsTime(f: Fields, key: string): string | undefined {
  const v = f.value[key];
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? instant(v) : undefined;
  if (ms === undefined) throw new InputError(`${f.path}.${key} must be a date and time such as 2026-01-01T00:00:00+00:00`, f.file);
  return new Date(ms).toISOString();
}
