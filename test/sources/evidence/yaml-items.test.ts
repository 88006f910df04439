import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as YAML from 'yaml';
import type { ListHead } from '../../../src/sources/evidence/json-items.js';
import { yamlParser } from '../../../src/sources/evidence/yaml-documents.js';
import { streamYamlListItems } from '../../../src/sources/evidence/yaml-items.js';

interface Streamed {
  readonly head: ListHead | undefined;
  readonly items: unknown[];
}

function stream(text: string): Streamed {
  const items: unknown[] = [];
  const head = streamYamlListItems(text, yamlParser(), (item, index, list) => {
    expect(index).toBe(items.length);
    expect(list).toBeDefined();
    items.push(item);
  });
  return { head, items };
}

/** What the whole-file reader makes of the text (parse.ts): every document, or undefined where it reports an error. */
function parsedWhole(text: string): unknown[] | undefined {
  try {
    const docs = YAML.parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.some((d) => d.errors.length > 0)) return undefined;
    return list.map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown).filter((v) => v !== null && v !== undefined);
  } catch {
    return undefined;
  }
}

/** Every streamed reading must be one the whole-file reading agrees with, items included. */
function expectFaithful(text: string): Streamed {
  const got = stream(text);
  if (got.head === undefined) return got;
  const whole = parsedWhole(text);
  expect(whole, `streamed a text the whole reading refuses:\n${text}`).toBeDefined();
  expect(whole, text).toHaveLength(1);
  expect({ ...got.head, items: got.items }, text).toStrictEqual(whole![0]);
  return got;
}

const items = [
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'a', namespace: 'x', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/r' } },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { é: '{[', dash: '- x' } },
    spec: { serviceAccountName: 'a', containers: [{ args: ['- a', 'items:', 'x\n- y\nitems:\n'] }] },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { script: '#!/bin/sh\n- not an entry\nitems:\n  - nor this\n', quoted: '"- q"', empty: '' },
  },
];
const list = { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
/** As kubectl prints it: entries of `items` at the key's own indentation. */
const kubectl = YAML.stringify(list, { indentSeq: false, lineWidth: 0 });

describe('streaming the entries of a YAML list', () => {
  it.each([
    ['kubectl output', kubectl],
    ['entries indented under items', YAML.stringify(list, { lineWidth: 0 })],
    ['long strings folded over lines', YAML.stringify(list, { indentSeq: false, lineWidth: 20, minContentWidth: 5 })],
    ['double-quoted strings', YAML.stringify(list, { indentSeq: false, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })],
    ['CRLF line ends', kubectl.replace(/\n/g, '\r\n')],
    [
      'comments and blank lines inside entries, at their content',
      kubectl.replace('\n- apiVersion: v1\n  kind: Pod', '\n  # note\n\n- apiVersion: v1\n    # deeper\n  kind: Pod'),
    ],
    ['a comment and a blank line before everything', `# kubectl get\n\n${kubectl}`],
    ['kind before items', YAML.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'p' } }] }, { indentSeq: false })],
    ['entries that start on the line after the dash', kubectl.replace(/^- /gm, '-\n  ')],
    ['items as the last key', YAML.stringify({ apiVersion: 'v1', kind: 'List', items }, { indentSeq: false })],
    ['no trailing line break', kubectl.trimEnd()],
    ['a scalar entry', 'kind: List\nitems:\n- just text\n- 3\n'],
    ['a kept block scalar last in the head', `${kubectl}x: |+\n  l\n\n\n`],
    ['a kept block scalar last in the head, CRLF', `${kubectl}x: >+\r\n  l\r\n\r\n`.replace(/\n/g, '\r\n').replace(/\r\r/g, '\r')],
    ['a kept block scalar ending the text without a line break', `${kubectl}x: |+\n  l`],
  ])('reads %s as the whole reading does', (_name, text) => {
    const got = expectFaithful(text);
    expect(got.head).toBeDefined();
    expect(got.items.length).toBeGreaterThan(0);
  });

  it.each([
    ['a document start', `---\n${kubectl}`],
    ['two documents', `${kubectl}---\n${kubectl}`],
    ['a document end', `${kubectl}...\n`],
    ['a directive', `%YAML 1.2\n---\n${kubectl}`],
    ['an alias inside an entry', kubectl.replace('name: a\n', 'name: &n a\n    other: *n\n')],
    ['an alias to an earlier entry', kubectl.replace('name: a\n', 'name: &n a\n').replace('name: p\n', 'name: *n\n')],
    ['an alias in the head to an entry', `${kubectl}extra: *n\n`.replace('name: a\n', 'name: &n a\n')],
    ['an empty flow list', 'apiVersion: v1\nitems: []\nkind: List\n'],
    ['items that is a mapping', 'apiVersion: v1\nitems:\n  a: 1\nkind: List\n'],
    ['no items', 'apiVersion: v1\nkind: List\n'],
    ['items left empty', 'apiVersion: v1\nitems:\nkind: List\n'],
    ['items twice', `${kubectl}items:\n- x\n`],
    ['a quoted top-level key', kubectl.replace('kind: List', '"kind": List')],
    ['a repeated top-level key', `${kubectl}kind: Pod\n`],
    ['a mapping key that is a collection', kubectl.replace('name: a\n', 'name: a\n    ? [k]\n    : v\n')],
    ['a repeated key inside an entry', kubectl.replace('name: a\n', 'name: a\n    name: b\n')],
    ['a tab before an entry', kubectl.replace('\n- apiVersion: v1\n  kind: Pod', '\n\t- apiVersion: v1\n  kind: Pod')],
    ['a lone carriage return', kubectl.replace('kind: List\n', 'kind: List\rx: 1\n')],
    ['a line separator', kubectl.replace('name: p', 'name: p\u2028q')],
    ['a byte order mark past the start', kubectl.replace('kind: List', '\ufeffkind: List')],
    ['a quoted string that swallows the items key', 'apiVersion: "v1\nitems:\n- x\nkind: List"\n'],
    ['a quoted string that runs from an entry into the next', 'apiVersion: v1\nitems:\n- a: "x\n- b"\nkind: List\n'],
    ['a flow list that runs from an entry into the next', 'apiVersion: v1\nitems:\n- a: [x,\n- b]\nkind: List\n'],
    ['a plain scalar the lexer runs on into the next entry after a comment left of the entries', 'kind: List\nitems:\n -\n\n# c\n  null\n - x\n'],
    ['a marker character of the lexer', kubectl.replace('name: p', 'name: "p\x1f"')],
    ['a comment left of the entries', kubectl.replace(/\n- /g, '\n# next\n- ')],
    ["a comment left of an entry's content", kubectl.replace('\n  kind: Pod', '\n # aside\n  kind: Pod')],
    ['a comment before the first entry', kubectl.replace('items:\n', 'items:\n# first\n')],
    ['a comment after an empty entry, before its value', 'kind: List\nitems:\n-\n\n# c\n  b\n- c\n'],
    ['an explicit key, then a comment left of its value', 'kind: List\nitems:\n- ? k\n\n# c\n    c\nk:\n  x: 1\n'],
    ['a tab leading a block scalar line', 'kind: List\nitems:\n  - a: |\n    \t\n  - b\n'],
    ['a tab leading a head line', `${kubectl}x:\n\t y\n`],
    ['an entry at another indentation', 'apiVersion: v1\nitems:\n  - a: 1\n - b: 2\nkind: List\n'],
    ['a mapping key beside the entries', 'apiVersion: v1\nitems:\n  - a: 1\n  b: 2\nkind: List\n'],
    ['a last entry cut inside a quoted string', kubectl.slice(0, kubectl.indexOf(`'"- q`) + 3)],
    ['an unterminated string at the end', `${kubectl}x: "open\n`],
    ['an indented first line', `  ${kubectl}`],
    ['a top-level list', YAML.stringify(items)],
    ['JSON', JSON.stringify(list, null, 4)],
    ['empty', ''],
    ['only comments', '# nothing\n'],
  ])('hands back %s to be read whole', (_name, text) => {
    expect(expectFaithful(text).head).toBeUndefined();
  });

  it('hands back the text when the taker of an entry throws', () => {
    const head = streamYamlListItems(kubectl, yamlParser(), () => {
      throw new Error('no');
    });
    expect(head).toBeUndefined();
  });

  it('parses each entry on its own: the whole text is never given to the parser', () => {
    const seen: number[] = [];
    const parser = { parseAllDocuments: (text: string) => (seen.push(text.length), yamlParser().parseAllDocuments(text)), Lexer: YAML.Lexer };
    const head = streamYamlListItems(kubectl, parser, () => {});
    expect(head).toEqual({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' } });
    expect(seen).toHaveLength(1 + items.length);
    expect(Math.max(...seen)).toBeLessThan(kubectl.length / 2);
  });

  it('agrees with the whole reading on random lists, written and broken at random', () => {
    const word = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,6}$/);
    const member = fc.oneof(fc.constantFrom('apiVersion', 'kind', 'metadata', 'items', 'x', 'k"y', 'a b', '- z'), word);
    const value = fc.jsonValue({ maxDepth: 3 });
    const document = fc.tuple(
      fc.array(fc.tuple(member, value), { maxLength: 4 }),
      fc.array(value, { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 5 }),
    );
    const style = fc.record({
      indentSeq: fc.boolean(),
      lineWidth: fc.constantFrom(0, 12, 80),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL'),
      crlf: fc.boolean(),
    });
    const edit = fc.oneof(
      fc.constant(undefined),
      fc.record({
        at: fc.nat(),
        cut: fc.integer({ min: 0, max: 3 }),
        insert: fc.constantFrom(
          '',
          '"',
          "'",
          '\n',
          '\n- ',
          '\n  - ',
          '- ',
          '\nitems:\n',
          '&a ',
          '*a',
          '\n---\n',
          '\n...\n',
          '#',
          ' #',
          '\t',
          '|',
          '>',
          '[',
          ']',
          '{',
          '}',
          ':',
          ': ',
          '? ',
          '\n%YAML 1.1\n',
          '\r',
          '\u2028',
          'x',
          ' ',
        ),
      }),
    );
    fc.assert(
      fc.property(document, style, edit, ([members, entries, position], { crlf, ...options }, change) => {
        const at = Math.min(position, members.length);
        const pairs: [string, unknown][] = [...members.slice(0, at), ['items', entries], ...members.slice(at)];
        const doc = new YAML.Document();
        doc.contents = doc.createNode({});
        for (const [k, v] of pairs) (doc.contents as YAML.YAMLMap).items.push(doc.createPair(k, v));
        let text = doc.toString(options);
        if (crlf) text = text.replace(/\n/g, '\r\n');
        if (change) {
          const i = change.at % (text.length + 1);
          text = text.slice(0, i) + change.insert + text.slice(i + change.cut);
        }
        const got = expectFaithful(text);
        const keys = members.map(([k]) => k);
        const plainKeys = keys.every((k) => /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(k)) && !keys.includes('items') && new Set(keys).size === keys.length;
        if (!change && plainKeys && options.defaultStringType === 'PLAIN' && !crlf) expect(got.head, text).toBeDefined();
      }),
      { numRuns: 3000 },
    );
  });
});
