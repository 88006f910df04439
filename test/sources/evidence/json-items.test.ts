import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamListItems, type ListHead } from '../../../src/sources/evidence/json-items.js';

const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-json-items-'));
let files = 0;

function fileOf(content: string | Buffer): string {
  const path = join(dir, `f${files++}.json`);
  writeFileSync(path, content);
  return path;
}

interface Streamed {
  readonly head: ListHead | undefined;
  readonly items: unknown[];
}

function stream(content: string | Buffer, chunkBytes?: number, maxBytes = 1 << 30): Streamed {
  const items: unknown[] = [];
  const head = streamListItems(
    fileOf(content),
    (item, index) => {
      expect(index).toBe(items.length);
      items.push(item);
    },
    maxBytes,
    chunkBytes,
  );
  return { head, items };
}

/** What `JSON.parse` makes of the file, as the whole-file reader reads it (a UTF-8 BOM dropped). */
function parsedWhole(content: string | Buffer): { value: unknown } | undefined {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return { value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start))) };
  } catch {
    return undefined;
  }
}

/** Every streamed reading must be one `JSON.parse` agrees with, items included. */
function expectFaithful(content: string | Buffer, chunkBytes?: number): Streamed {
  const got = stream(content, chunkBytes);
  if (got.head === undefined) return got;
  const whole = parsedWhole(content);
  expect(whole, 'streamed a file JSON.parse refuses').toBeDefined();
  expect({ ...got.head, items: got.items }).toStrictEqual(whole!.value);
  return got;
}

const list = {
  apiVersion: 'v1',
  items: [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'a', namespace: 'x', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/r' } },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p}"]\\', labels: { é: '{[' } }, spec: { serviceAccountName: 'a' } },
  ],
  kind: 'List',
  metadata: { resourceVersion: '' },
};

describe('streaming the items of a JSON list', () => {
  it.each([
    ['kubectl indent', JSON.stringify(list, null, 4)],
    ['minified', JSON.stringify(list)],
    ['tabs and CRLF', JSON.stringify(list, null, '\t').replace(/\n/g, '\r\n')],
    ['kind before items', JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: list.items })],
    ['a UTF-8 BOM', `\ufeff${JSON.stringify(list)}`],
    ['an empty list', JSON.stringify({ ...list, items: [] })],
    ['escaped keys', JSON.stringify(list).replace('"kind":"List"', '"\\u006bind":"List"')],
    ['scalars beside items', JSON.stringify({ n: -1.5e3, t: true, f: false, z: null, s: 'x', items: list.items, a: [1, [2]] })],
  ])('reads %s as JSON.parse does', (_name, text) => {
    const got = expectFaithful(text);
    expect(got.head).toBeDefined();
  });

  it.each([1, 2, 3, 7, 64])('reads the same across chunk boundaries (%i-byte chunks)', (chunk) => {
    const text = JSON.stringify(list, null, 4);
    const got = expectFaithful(text, chunk);
    expect(got.items).toStrictEqual(list.items);
  });

  it('holds an element larger than many chunks', () => {
    const big = { ...list, items: [{ kind: 'Pod', metadata: { name: 'big', annotations: { note: 'x'.repeat(3 << 20) } } }, ...list.items] };
    const got = expectFaithful(JSON.stringify(big), 1 << 16);
    expect(got.items).toHaveLength(3);
  });

  it('holds no more of a long run of whitespace than a chunk', () => {
    const path = fileOf(`{"items":[{"a":1},${' '.repeat(48 << 20)}{"b":2}]}`);
    const before = process.memoryUsage().arrayBuffers;
    let held = 0;
    const head = streamListItems(
      path,
      () => {
        held = Math.max(held, process.memoryUsage().arrayBuffers - before);
      },
      1 << 30,
    );
    expect(head).toEqual({});
    expect(held).toBeLessThan(8 << 20);
  });

  it.each([
    ['truncated', JSON.stringify(list).slice(0, -3)],
    ['trailing garbage', `${JSON.stringify(list)} x`],
    ['two documents', `${JSON.stringify(list)}${JSON.stringify(list)}`],
    ['a repeated top-level key (JSON.parse keeps the last)', JSON.stringify(list).replace('"kind":"List"', '"kind":"Pod","kind":"List"')],
    ['items twice', JSON.stringify(list).replace('"kind":"List"', '"kind":"List","items":[]')],
    ['a __proto__ member', JSON.stringify({ ...list, ['__proto__']: 1 })],
    ['items not a list', JSON.stringify({ ...list, items: { a: 1 } })],
    ['an item that is not an object', JSON.stringify({ ...list, items: [1] })],
    ['no items', JSON.stringify({ apiVersion: 'v1', kind: 'List' })],
    ['a top-level list', JSON.stringify(list.items)],
    ['items without a comma between them', JSON.stringify(list).replace('}},{', '}} {')],
    ['members without a comma between them', JSON.stringify(list).replace('"kind":"List",', '"kind":"List" ')],
    ['a trailing comma', JSON.stringify(list).replace('}],"kind"', '},],"kind"')],
    ['a raw newline in a string', JSON.stringify(list).replace('"a"', '"a\nb"')],
    ['an unclosed string in an item', JSON.stringify(list).replace('"Pod"', '"Pod')],
    ['a bracket closing a brace', JSON.stringify(list).replace('}]', ']]')],
    ['empty', ''],
  ])('hands back %s to be read whole', (_name, text) => {
    expect(expectFaithful(text).head).toBeUndefined();
  });

  it('hands back invalid UTF-8, in an item or beside it', () => {
    const text = JSON.stringify(list);
    const inItem = Buffer.from(text.replace('"Pod"', '"P\u0000d"'));
    inItem[inItem.indexOf(0)] = 0xff;
    const beside = Buffer.from(text.replace('"v1"', '"v\u00001"'));
    beside[beside.indexOf(0)] = 0xc3;
    expect(stream(inItem).head).toBeUndefined();
    expect(stream(beside).head).toBeUndefined();
  });

  it('hands back a file larger than allowed, and one that cannot be opened', () => {
    expect(stream(JSON.stringify(list), undefined, 10).head).toBeUndefined();
    expect(streamListItems(join(dir, 'missing.json'), () => {}, 1 << 30)).toBeUndefined();
  });

  it('hands back the file when the taker of an item throws', () => {
    const head = streamListItems(
      fileOf(JSON.stringify(list)),
      () => {
        throw new Error('no');
      },
      1 << 30,
    );
    expect(head).toBeUndefined();
  });

  it('agrees with JSON.parse on random lists, formatted and broken at random', () => {
    const member = fc.oneof(fc.constantFrom('apiVersion', 'kind', 'metadata', 'items', 'x', 'k\\"y', '__proto__'), fc.string({ maxLength: 4 }));
    const document = fc.tuple(
      fc.array(fc.tuple(member, fc.jsonValue({ maxDepth: 3 })), { maxLength: 5 }),
      fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), { maxLength: 5 }),
      fc.integer({ min: 0, max: 6 }),
    );
    const edit = fc.oneof(
      fc.constant(undefined),
      fc.record({
        at: fc.nat(),
        cut: fc.integer({ min: 0, max: 3 }),
        insert: fc.constantFrom('', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', '\u00e9', 'x', '"items":[]'),
      }),
    );
    fc.assert(
      fc.property(document, edit, fc.constantFrom(1, 5, 4096), fc.boolean(), ([members, items, position], change, chunk, bom) => {
        const at = Math.min(position, members.length);
        const pairs = [
          ...members.slice(0, at).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`),
          `"items":${JSON.stringify(items, null, chunk === 5 ? 2 : undefined)}`,
          ...members.slice(at).map(([k, v]) => `${JSON.stringify(k)} : ${JSON.stringify(v)}`),
        ];
        let text = `${bom ? '\ufeff' : ''}{${pairs.join(chunk === 1 ? ',\n ' : ',')}}`;
        if (change) {
          const i = change.at % (text.length + 1);
          text = text.slice(0, i) + change.insert + text.slice(i + change.cut);
        }
        const got = expectFaithful(text, chunk);
        const keys = members.map(([k]) => k);
        const clean = !change && !keys.includes('items') && !keys.includes('__proto__') && new Set(keys).size === keys.length;
        if (clean) expect(got.head, text).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });
});
