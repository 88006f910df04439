import { describe, expect, it } from 'vitest';
import { InputError, present } from '../../src/errors.js';

describe('present', () => {
  it('returns what is there, falsy values included', () => {
    expect(present(0, 'a count')).toBe(0);
    expect(present('', 'a name')).toBe('');
    expect(present(null, 'a test block')).toBeNull();
    expect(present(false, 'a flag')).toBe(false);
  });

  it('throws an internal error, not an input error, naming what is missing', () => {
    const thrown = (() => {
      try {
        present([][0], 'the first segment of glob a*b');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(InputError);
    expect((thrown as Error).message).toBe('the first segment of glob a*b is missing');
  });
});
