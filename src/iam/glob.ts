const compiled = [new Map<string, RegExp>(), new Map<string, RegExp>()] as const;

/** The anchored regular expression for an IAM wildcard pattern, compiled once. */
export function globRegExp(pattern: string, ignoreCase = false): RegExp {
  const cache = compiled[ignoreCase ? 1 : 0];
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** IAM wildcard match: `*` any run of characters, `?` exactly one. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!hasWildcard(pattern)) {
    if (!ignoreCase || pattern === value) return pattern === value;
    return pattern.toLowerCase() === value.toLowerCase();
  }
  return globRegExp(pattern, ignoreCase).test(value);
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
