import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tidy } from '../../src/emit/templates.js';

const whole = (text: string) => `${text.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;

describe('tidying a document in pieces', () => {
  it('yields what tidying the joined document yields, however it is cut', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '\n', '\n', '\n', '\r', '\u00a0') });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 8 }), (pieces) => {
        expect([...tidy(pieces)].join('')).toBe(whole(pieces.join('')));
      }),
      { numRuns: 3000 },
    );
  });

  it('holds back white space at the end of a piece until text follows it', () => {
    expect([...tidy(['a\n\n', '\n\nb\n', '\n', '\n'])]).toEqual(['a', '\n\nb', '\n']);
    expect([...tidy([])]).toEqual(['\n']);
  });
});
