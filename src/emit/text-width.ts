/**
 * How many terminal columns text takes: East Asian wide and fullwidth characters and emoji take two,
 * combining marks none. For text already passed through `visible()`, which leaves no control or format
 * character.
 * @module
 */

import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Printable ASCII only: one column per code unit. */
const ASCII = /^[\x20-\x7e]*$/;

/** The grapheme clusters of `text` with the columns each takes. */
export function graphemes(text: string): { readonly text: string; readonly width: number }[] {
  return [...segmenter.segment(text)].map((s) => ({ text: s.segment, width: stringWidth(s.segment, { countAnsiEscapeCodes: true }) }));
}

/** The columns `text` takes in a terminal. */
export function textWidth(text: string): number {
  return ASCII.test(text) ? text.length : stringWidth(text, { countAnsiEscapeCodes: true });
}

/** `text` cut to at most `width` columns at a grapheme boundary, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  if (ASCII.test(text)) return `${text.slice(0, Math.max(0, width - 1))}…`;
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
  if (ASCII.test(text)) {
    const room = Math.max(0, width - 1);
    const head = Math.floor(room / 3);
    return `${text.slice(0, head)}…${text.slice(text.length - (room - head))}`;
  }
  const all = graphemes(text);
  const room = Math.max(0, width - 1);
  let headRoom = Math.floor(room / 3);
  let head = '';
  let i = 0;
  for (let g = all[i]; g !== undefined && g.width <= headRoom; g = all[++i]) {
    head += g.text;
    headRoom -= g.width;
  }
  let tailRoom = room - textWidth(head);
  let tail = '';
  for (let j = all.length - 1, g = all[j]; j >= i && g !== undefined && g.width <= tailRoom; g = all[--j]) {
    tail = g.text + tail;
    tailRoom -= g.width;
  }
  return `${head}…${tail}`;
}
