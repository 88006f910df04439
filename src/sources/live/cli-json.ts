/**
 * Turns AWS SDK v3 output into the JSON the AWS CLI prints for the same call: timestamps as the
 * CLI's ISO strings, policy documents decoded to objects, `$metadata` and undefined fields dropped.
 * @module
 */

/** `2024-04-16T09:12:44.569000+00:00` / `2024-04-16T09:12:44+00:00`, as AWS CLI v1 prints UTC times. */
export function cliTimestamp(d: Date): string {
  const iso = d.toISOString(); // 2024-04-16T09:12:44.569Z
  const base = iso.slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? `${base}+00:00` : `${base}.${String(ms).padStart(3, '0')}000+00:00`;
}

/** Recursively converts Dates to CLI timestamps and drops `$metadata` and undefined values. */
export function toCliJson(value: unknown): unknown {
  if (value instanceof Date) return cliTimestamp(value);
  if (Array.isArray(value)) return value.map(toCliJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata' || v === undefined) continue;
      out[k] = toCliJson(v);
    }
    return out;
  }
  return value;
}

/**
 * A policy document as the CLI prints it: IAM returns documents URL-encoded (RFC 3986); the CLI
 * decodes them into JSON objects. Plain JSON (some emulators) is accepted as is.
 */
export function decodePolicyDocument(doc: unknown): unknown {
  if (typeof doc !== 'string') return doc;
  const trimmed = doc.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(doc);
    } catch {
      /* fall through to URL decoding */
    }
  }
  try {
    return JSON.parse(decodeURIComponent(doc));
  } catch {
    return doc;
  }
}

/** Pretty JSON as the CLI writes it (4-space indent, trailing newline). */
export function cliJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 4)}\n`;
}
