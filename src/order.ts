/**
 * Compares two strings in one fixed collation (English), whatever the locale of the machine, so that
 * every list in every output is ordered the same everywhere: `localeCompare` without a locale follows
 * `LANG`/`LC_ALL` (in Danish, "aa" sorts after "z").
 */
export function compareText(a: string, b: string): number {
  return a.localeCompare(b, 'en');
}

/** The numbers of an add-on version as digit strings without leading zeros (`v1.19.2-eksbuild.1` → 1, 19, 2, 1). */
function versionNumbers(version: string): string[] {
  return (version.match(/\d+/g) ?? []).map((n) => n.replace(/^0+(?=\d)/, ''));
}

/** Two numbers written without leading zeros, compared exactly however long: by length, then digit by digit. */
function compareDigits(x: string, y: string): number {
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders add-on versions by their numbers (`v1.9.0` before `v1.19.0`, `eksbuild.2` before `eksbuild.10`), then as text. */
export function compareAddonVersions(a: string, b: string): number {
  const [x, y] = [versionNumbers(a), versionNumbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    const d = compareDigits(p, q);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
