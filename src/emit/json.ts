import type { Emitter } from './types.js';

const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * `JSON.stringify(value, null, 2)` and a trailing newline, in pieces: one per top-level member and one
 * per element of a top-level array, so a plan of any size is written without one string holding it all.
 */
export function* jsonChunks(value: Readonly<Record<string, unknown>>): Generator<string> {
  const keys = Object.keys(value).filter((k) => !omitted(value[k]));
  if (keys.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (const [i, key] of keys.entries()) {
    const v = value[key];
    const end = i === keys.length - 1 ? '\n' : ',\n';
    if (Array.isArray(v) && v.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (const [j, element] of v.entries()) {
        const text = omitted(element) ? 'null' : JSON.stringify(element, null, 2);
        yield `    ${text.replace(/\n/g, '\n    ')}${j === v.length - 1 ? '\n' : ',\n'}`;
      }
      yield `  ]${end}`;
    } else {
      yield `  ${JSON.stringify(key)}: ${JSON.stringify(v, null, 2).replace(/\n/g, '\n  ')}${end}`;
    }
  }
  yield '}\n';
}

/** The plan as the versioned JSON contract, two-space indented with a trailing newline; streamed by the CLI. */
export const emitJson: Emitter = (plan) => {
  const value = plan as unknown as Readonly<Record<string, unknown>>;
  return {
    kind: 'text',
    get text() {
      return [...jsonChunks(value)].join('');
    },
    chunks: () => jsonChunks(value),
  };
};
