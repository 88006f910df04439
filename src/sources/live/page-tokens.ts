/**
 * Paging that ends: a listing whose server hands back a page token it already gave (the same one
 * again, or a cycle) would be read forever, so such a token fails the listing instead.
 * @module
 */

/**
 * A guard for one listing named `what` (as `ListClusters`): pass it each page's next token; it
 * returns the token, or throws when the listing already had it.
 */
export function pageTokenGuard(what: string): (token: string | undefined) => string | undefined {
  const seen = new Set<string>();
  return (token) => {
    if (token === undefined || token === '') return undefined;
    if (seen.has(token))
      throw new Error(`${what}: the server gave page token ${JSON.stringify(token.slice(0, 80))} a second time; the listing would never end`);
    seen.add(token);
    return token;
  };
}
