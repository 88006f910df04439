import { present } from '../errors.js';

const STAR = 42;
const QUESTION = 63;

/** Counts the character comparisons a match makes, for tests that bound them. */
export interface GlobMeter {
  steps: number;
}

/** An IAM wildcard pattern, split once, that tests values without backtracking. */
export interface Glob {
  /** Whether `value` matches the whole pattern; `meter.steps` grows by the comparisons made. */
  test(value: string, meter?: GlobMeter): boolean;
}

/**
 * A code unit as a case-insensitive JavaScript regular expression (no `u` flag) compares it: its
 * upper case when that is one unit, except that a non-ASCII unit never folds onto an ASCII one.
 */
function fold(unit: number): number {
  if (unit < 128) return unit >= 97 && unit <= 122 ? unit - 32 : unit;
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const u = upper.charCodeAt(0);
  return u < 128 ? unit : u;
}

/** A run of the pattern between two `*`: literal units, with -1 where the pattern has `?`. */
type Segment = Int32Array;

class CompiledGlob implements Glob {
  private readonly head: Segment;
  private readonly middle: readonly Segment[];
  private readonly tail: Segment | undefined;
  private readonly minLength: number;

  constructor(
    pattern: string,
    private readonly ignoreCase: boolean,
  ) {
    const segments: Segment[] = [];
    let start = 0;
    for (let i = 0; i <= pattern.length; i++) {
      if (i < pattern.length && pattern.charCodeAt(i) !== STAR) continue;
      const seg = new Int32Array(i - start);
      for (let j = start; j < i; j++) {
        const unit = pattern.charCodeAt(j);
        seg[j - start] = unit === QUESTION ? -1 : ignoreCase ? fold(unit) : unit;
      }
      segments.push(seg);
      start = i + 1;
    }
    this.head = present(segments[0], `the first segment of glob ${pattern}`);
    this.tail = segments.length > 1 ? segments[segments.length - 1] : undefined;
    this.middle = segments.slice(1, -1).filter((s) => s.length > 0);
    this.minLength = segments.reduce((n, s) => n + s.length, 0);
  }

  private unitAt(value: string, i: number): number {
    const unit = value.charCodeAt(i);
    return this.ignoreCase ? fold(unit) : unit;
  }

  /** Whether `seg` matches `value` at `at`; stops at the first difference. */
  private matchesAt(seg: Segment, value: string, at: number, meter: GlobMeter | undefined): boolean {
    let k = 0;
    for (const want of seg) {
      if (meter) meter.steps++;
      if (want !== -1 && want !== this.unitAt(value, at + k)) return false;
      k++;
    }
    return true;
  }

  test(value: string, meter?: GlobMeter): boolean {
    if (value.length < this.minLength) return false;
    const { head, tail } = this;
    if (tail === undefined) return value.length === head.length && this.matchesAt(head, value, 0, meter);
    if (!this.matchesAt(head, value, 0, meter)) return false;
    const end = value.length - tail.length;
    if (!this.matchesAt(tail, value, end, meter)) return false;
    let at = head.length;
    for (const seg of this.middle) {
      let found = -1;
      for (let p = at; p + seg.length <= end; p++) {
        if (this.matchesAt(seg, value, p, meter)) {
          found = p;
          break;
        }
      }
      if (found < 0) return false;
      at = found + seg.length;
    }
    return true;
  }
}

/**
 * An IAM wildcard pattern (`*` any run of characters, `?` exactly one, everything else literal)
 * compiled for matching. Each segment between two `*` is placed at its leftmost fit after the previous
 * one, which is where any match could place it, so nothing is ever retried: a test makes at most
 * pattern length × value length comparisons, where a regular expression backtracks through every way
 * of splitting the value among the stars.
 */
export function compileGlob(pattern: string, ignoreCase = false): Glob {
  return new CompiledGlob(pattern, ignoreCase);
}

/** IAM wildcard match: `*` any run of characters, `?` exactly one. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!hasWildcard(pattern)) {
    if (!ignoreCase || pattern === value) return pattern === value;
    return pattern.toLowerCase() === value.toLowerCase();
  }
  return compileGlob(pattern, ignoreCase).test(value);
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
