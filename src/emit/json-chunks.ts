import { visible } from '../escape.js';

const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** What `JSON.stringify` serializes for `v` under `key`: the result of its `toJSON`, when it has one. */
function resolved(v: unknown, key: string): unknown {
  const toJSON = v !== null && typeof v === 'object' ? (v as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(v, key) : v;
}

/**
 * `JSON.stringify(value, null, 2)` as it reads `depth` levels down in a larger document, first line
 * indented too: the value is serialized inside that many one-element arrays, which are cut off again.
 */
function indented(value: unknown, depth: number): string {
  let wrapped = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2);
  let start = 0;
  for (let i = 0; i < depth; i++) start = text.indexOf('\n', start) + 1;
  let end = text.length;
  for (let i = 0; i < depth; i++) end = text.lastIndexOf('\n', end - 1);
  return text.slice(start, end);
}

/**
 * `JSON.stringify(value, null, 2)` and a trailing newline, in pieces: one per top-level member and one
 * per element of a top-level array, so a plan of any size is written without one string holding it all.
 * C1 controls, DEL, bidi and invisible characters inside strings are written as `\uXXXX` escapes (as
 * JSON.stringify writes C0 ones): the same values, and no raw control reaches a terminal.
 */
export function* jsonChunks(value: unknown): Generator<string> {
  for (const chunk of rawJsonChunks(value)) yield visible(chunk, { keep: '\n', json: true });
}

function* rawJsonChunks(value: unknown): Generator<string> {
  const root = resolved(value, '');
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    yield `${JSON.stringify(root, null, 2)}\n`;
    return;
  }
  const record = root as Readonly<Record<string, unknown>>;
  const members = Object.keys(record)
    .map((key) => [key, resolved(record[key], key)] as const)
    .filter(([, v]) => !omitted(v));
  if (members.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (const [i, [key, v]] of members.entries()) {
    const end = i === members.length - 1 ? '\n' : ',\n';
    if (Array.isArray(v) && v.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (let j = 0; j < v.length; j++) {
        const element = resolved(v[j], String(j));
        yield `${omitted(element) ? '    null' : indented(element, 2)}${j === v.length - 1 ? '\n' : ',\n'}`;
      }
      yield `  ]${end}`;
    } else {
      yield `  ${JSON.stringify(key)}: ${indented(v, 1).trimStart()}${end}`;
    }
  }
  yield '}\n';
}
