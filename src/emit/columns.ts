/**
 * A borderless column layout in the style of `kubectl get`: an upper-case header, columns three
 * spaces apart, fitted to a terminal width by truncating, then leaving out, the columns that may give.
 * @module
 */
import type { Colour } from './colors.js';
import { textWidth, truncate, truncateMiddle } from './text-width.js';
import { at } from './lookup.js';

/** One column of a {@link layoutColumns} table. */
export interface Column {
  readonly header: string;
  /** Whether cells may be cut (with a visible `…`) to fit the width; columns that identify a row never are. */
  readonly truncatable?: boolean;
  /** The narrowest a cut column gets (at least its header); 8 unless given. */
  readonly min?: number;
  /**
   * Whether cutting must keep distinct values distinct: such a column is cut in the middle, and no
   * narrower than keeps every two values apart.
   */
  readonly distinct?: boolean;
  /** Whether the column may be left out when the others do not fit even cut; the footer names it. */
  readonly optional?: boolean;
}

/** One cell: its text on one line (already escaped) and an optional colour. */
export interface Cell {
  readonly text: string;
  readonly colour?: Colour;
}

/** A laid-out table: its lines, and the headers of the columns left out to fit. */
export interface Layout {
  readonly lines: readonly string[];
  readonly omitted: readonly string[];
}

const GAP = 3;
/** The narrowest a cut column gets unless it says: room for a few characters and the `…`. */
const MIN_CUT = 8;

/** The narrowest width at which cutting `values` keeps distinct values distinct, at least `floor`. */
function narrowestDistinct(values: readonly string[], floor: number, natural: number): number {
  const unique = [...new Set(values)];
  for (let w = floor; w < natural; w++) if (new Set(unique.map((v) => truncateMiddle(v, w))).size === unique.length) return w;
  return natural;
}

function widthOf(widths: readonly number[]): number {
  return widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);
}

function lastOptionalShown(columns: readonly Column[], shown: readonly boolean[]): number | undefined {
  for (let i = columns.length - 1; i >= 0; i--) if (at(columns, i).optional && shown[i]) return i;
  return undefined;
}

/**
 * Column widths for `width` terminal columns: the optional columns are cut, then left out, from the
 * last; only then are the other truncatable columns cut. `undefined` width: every value whole.
 */
function fit(columns: readonly Column[], rows: readonly (readonly Cell[])[], width: number | undefined) {
  const natural = columns.map((c, i) => rows.reduce((most, r) => Math.max(most, textWidth(at(r, i).text)), textWidth(c.header)));
  const floor = columns.map((c, i) => {
    if (!c.truncatable) return at(natural, i);
    const least = Math.min(at(natural, i), Math.max(c.min ?? MIN_CUT, textWidth(c.header)));
    return c.distinct
      ? narrowestDistinct(
          rows.map((r) => at(r, i).text),
          least,
          at(natural, i),
        )
      : least;
  });
  const shown = columns.map(() => true);
  const widths = [...natural];
  if (width === undefined) return { widths, shown };
  const total = () => widthOf(widths.filter((_, i) => shown[i]));
  const cut = (which: (c: Column) => boolean) => {
    for (let i = columns.length - 1; i >= 0 && total() > width; i--) {
      if (shown[i] && which(at(columns, i))) widths[i] = Math.max(at(floor, i), at(widths, i) - (total() - width));
    }
  };
  for (;;) {
    cut((c) => !!c.optional);
    if (total() <= width) break;
    const drop = lastOptionalShown(columns, shown);
    if (drop === undefined) break;
    shown[drop] = false;
    widths.splice(0, widths.length, ...natural);
  }
  cut(() => true);
  return { widths, shown };
}

/**
 * The rows as `kubectl get` lays them out, at most `width` columns wide when the columns that identify
 * a row allow it (wider otherwise: they are never cut); without `width`, every value whole.
 */
export function layoutColumns(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  width: number | undefined,
  paint: (colour: Colour, text: string) => string,
): Layout {
  const { widths, shown } = fit(columns, rows, width);
  const keep = columns.map((_, i) => i).filter((i) => shown[i]);
  const line = (cells: readonly Cell[]) =>
    keep
      .map((i, k) => {
        const text = (at(columns, i).distinct ? truncateMiddle : truncate)(at(cells, i).text, at(widths, i));
        const pad = k === keep.length - 1 ? '' : ' '.repeat(at(widths, i) - textWidth(text));
        const colour = at(cells, i).colour;
        return (colour ? paint(colour, text) : text) + pad;
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  return {
    lines: [line(columns.map((c) => ({ text: c.header.toUpperCase() }))), ...rows.map(line)],
    omitted: columns.filter((_, i) => !shown[i]).map((c) => c.header.toUpperCase()),
  };
}
