/**
 * The order of EKS add-on versions (`v1.19.2-eksbuild.1`): by their numbers, left to right.
 * @module
 */

function versionNumbers(version: string): number[] {
  return (version.match(/\d+/g) ?? []).map(Number);
}

/** Orders add-on versions by their numbers (`v1.9.0` before `v1.19.0`, `eksbuild.2` before `eksbuild.10`), then as text. */
export function compareAddonVersions(a: string, b: string): number {
  const [x, y] = [versionNumbers(a), versionNumbers(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
