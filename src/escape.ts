/**
 * The one escaping step of every human-facing output (terminal table, stderr lines, Markdown, `#`
 * comments of generated files): code points that a terminal acts on or that hide or reorder text are
 * written as visible escapes, whatever `NO_COLOR` says.
 * @module
 */

/**
 * Controls (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates, marks, zero-width
 * characters, word joiners, BOM, tag characters), line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');
/** The same but line feed (`\p{Cc}` is U+0000–U+001F and U+007F–U+009F): a multi-line document is scanned without stopping at each line. */
const UNSAFE_BUT_LF = /[\0-\t\v-\x1f\x7f-\x9f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_BUT_LF_ALL = new RegExp(UNSAFE_BUT_LF.source, 'gu');

/** How {@link visible} writes what it escapes. */
export interface VisibleOptions {
  /** Characters the format allows as they are, e.g. `"\n"` in stderr text; none by default (a table cell allows none). */
  readonly keep?: string;
  /** `\u001b` for every escape (astral ones as surrogate pairs), so text inside a JSON string stays valid JSON of the same value. */
  readonly json?: boolean;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

function escapeOne(ch: string, json: boolean): string {
  const code = ch.codePointAt(0);
  if (code === undefined) throw new Error('the character to escape is missing');
  if (code <= 0xff && !json) return `\\x${hex(code, 2)}`;
  if (code <= 0xffff) return `\\u${hex(code, 4)}`;
  if (!json) return `\\u{${hex(code, 0)}}`;
  return `\\u${hex(ch.charCodeAt(0), 4)}\\u${hex(ch.charCodeAt(1), 4)}`;
}

/**
 * `value` with every control, bidi or invisible format character written as a visible escape
 * (`\x1b`, `\x9b`, `\u202e`, `\u{e0041}`; with `json`, `\u001b`), except the characters in `keep`.
 * Backslashes already in the value are left as they are: the result is for reading, not for decoding.
 */
export function visible(value: string, options: VisibleOptions = {}): string {
  const keep = options.keep ?? '';
  const keepsLf = keep.includes('\n');
  if (!(keepsLf ? UNSAFE_BUT_LF : UNSAFE).test(value)) return value;
  const json = options.json ?? false;
  return value.replace(keepsLf ? UNSAFE_BUT_LF_ALL : UNSAFE_ALL, (ch) => (keep.includes(ch) ? ch : escapeOne(ch, json)));
}
