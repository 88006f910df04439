/**
 * Compares two strings in one fixed collation (English), whatever the locale of the machine, so that
 * every list in every output is ordered the same everywhere: `localeCompare` without a locale follows
 * `LANG`/`LC_ALL` (in Danish, "aa" sorts after "z").
 */
export function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en');
}
