import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batched } from '../../src/cli/batched.js';

describe('output in batches', () => {
  it('joins pieces into batches of at least the given size, only the last shorter, the text unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (pieces, size) => {
        const out = [...batched(pieces, size)];
        expect(out.join('')).toBe(pieces.join(''));
        out.slice(0, -1).forEach((b) => {
          expect(b.length).toBeGreaterThanOrEqual(size);
        });
        if (pieces.length > 0) expect(out.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the 81,000 pieces of a large plan in about a thousand batches', () => {
    const pieces = Array.from({ length: 81_000 }, (_, i) => `${'x'.repeat(900)}${i}\n`);
    const out = [...batched(pieces)];
    expect(out.length).toBeLessThan(1200);
    expect(out.join('')).toBe(pieces.join(''));
  });
});
