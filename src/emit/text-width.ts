/**
 * How many terminal columns text takes: East Asian wide and fullwidth characters and emoji take two,
 * combining marks none. For text already passed through `visible()`, which leaves no control or format
 * character.
 * @module
 */

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Ranges of East Asian Wide (W) and Fullwidth (F) code points (Unicode 15 EastAsianWidth.txt, merged). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55], [0x2e80, 0x303e],
  [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4],
  [0x17000, 0x18cd5], [0x1b000, 0x1b2ff], [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a], [0x1f200, 0x1f251], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff], [0x1f7e0, 0x1f7eb],
  [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

function isWide(code: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = WIDE[mid]!;
    if (code < from) hi = mid - 1;
    else if (code > to) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}]+$/u;
const EMOJI_PRESENTATION = /\p{Extended_Pictographic}\uFE0F|\p{Emoji_Presentation}|\p{Regional_Indicator}{2}/u;

/** The columns one grapheme cluster takes: 0, 1 or 2. */
function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (isWide(grapheme.codePointAt(0)!) || EMOJI_PRESENTATION.test(grapheme)) return 2;
  return 1;
}

/** The grapheme clusters of `text` with the columns each takes. */
export function graphemes(text: string): { readonly text: string; readonly width: number }[] {
  return [...segmenter.segment(text)].map((s) => ({ text: s.segment, width: graphemeWidth(s.segment) }));
}

/**
 * Code units that may take other than one column: combining marks, the BMP blocks holding wide or
 * emoji-presentation characters, and every astral character (and lone surrogate). Text without them is one
 * column per code unit.
 */
const MAYBE_NOT_ONE = /[\p{M}\u1100-\u115f\u231a\u231b\u2329\u232a\u23e9-\u23ff\u25fd-\u27bf\u2b1b-\u2b55\u2e80-\ua4cf\ua960-\ua97f\uac00-\ud7a3\ud800-\udfff\u{10000}-\u{10ffff}\uf900-\ufaff\ufe10-\ufe6f\uff00-\uffe6]/u;

/** The columns `text` takes in a terminal. */
export function textWidth(text: string): number {
  if (!MAYBE_NOT_ONE.test(text)) return text.length;
  return graphemes(text).reduce((sum, g) => sum + g.width, 0);
}

/** `text` cut to at most `width` columns at a grapheme boundary, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (!MAYBE_NOT_ONE.test(text)) return `${text.slice(0, Math.max(0, width - 1))}…`;
  let used = 0;
  let kept = '';
  for (const g of graphemes(text)) {
    if (used + g.width > width - 1) break;
    kept += g.text;
    used += g.width;
  }
  return `${kept}…`;
}

/**
 * `text` cut to at most `width` columns by taking graphemes out of the middle, written `…`: a third of
 * the room keeps the start, the rest the end (where names tend to differ: `-reader`, `-writer`).
 */
export function truncateMiddle(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (!MAYBE_NOT_ONE.test(text)) {
    const room = Math.max(0, width - 1);
    const head = Math.floor(room / 3);
    return `${text.slice(0, head)}…${text.slice(text.length - (room - head))}`;
  }
  const all = graphemes(text);
  const room = Math.max(0, width - 1);
  let headRoom = Math.floor(room / 3);
  let head = '';
  let i = 0;
  for (; i < all.length && all[i]!.width <= headRoom; i++) {
    head += all[i]!.text;
    headRoom -= all[i]!.width;
  }
  let tailRoom = room - textWidth(head);
  let tail = '';
  for (let j = all.length - 1; j >= i && all[j]!.width <= tailRoom; j--) {
    tail = all[j]!.text + tail;
    tailRoom -= all[j]!.width;
  }
  return `${head}…${tail}`;
}
