import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import * as YAML from 'yaml';
import { MAX_NESTING_DEPTH } from '../../src/sources/evidence/limits.js';
import { MAX_ALIASES, MAX_PARSER_STACK, ownStrings, parseYamlDocuments, YamlTooDeep, YamlTooManyAliases } from '../../src/sources/evidence/yaml-documents.js';

/** Levels of arrays and objects in a parsed value: a scalar is 0. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Runs `tokens` to their end, keeping none. */
function drain(tokens: Iterable<unknown>): void {
  const it = tokens[Symbol.iterator]();
  while (it.next().done !== true);
}

/** The deepest the yaml parser's stack grows while it reads `text`. */
function parserStackPeak(text: string): number {
  const parser = new YAML.Parser();
  let peak = 0;
  for (const lexeme of new YAML.Lexer().lex(text)) {
    drain(parser.next(lexeme));
    peak = Math.max(peak, parser.stack.length);
  }
  drain(parser.end());
  return peak;
}

/** A value nested `depth` deep, each level an array or an object as `shapes` says. */
const nested = (depth: number, shapes: readonly boolean[]): unknown =>
  Array.from({ length: depth }).reduce<unknown>((inner, _, i) => (shapes[i % shapes.length] ? [inner] : { k: inner }), 'x');

const style = fc.record({
  indentSeq: fc.boolean(),
  indent: fc.integer({ min: 2, max: 4 }),
  collectionStyle: fc.constantFrom<'any' | 'block' | 'flow'>('any', 'block', 'flow'),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'BLOCK_LITERAL') as fc.Arbitrary<'PLAIN'>,
});

describe('the YAML nesting guard', () => {
  it('the parser stack grows by about one token a level, so that a document the depth limit admits never reaches the stack limit', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 8 }),
        fc.integer({ min: 1, max: MAX_NESTING_DEPTH }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        style,
        (extra, depth, shapes, options) => {
          const value = { a: nested(depth, shapes), b: extra };
          const text = YAML.stringify(value, { ...options, lineWidth: 0 });
          const docs = YAML.parseAllDocuments(text);
          fc.pre(Array.isArray(docs) && docs.length === 1 && docs[0]!.errors.length === 0);
          expect(parserStackPeak(text)).toBeLessThanOrEqual(depthOf(docs[0]!.toJS()) + 4);
        },
      ),
      { numRuns: 300 },
    );
    expect(MAX_PARSER_STACK).toBeGreaterThan(MAX_NESTING_DEPTH + 4);
  });

  const n = MAX_NESTING_DEPTH;
  it.each([
    ['block mappings', Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x\n'],
    ['compact block sequences', `${'- '.repeat(n)}x\n`],
    ['explicit keys', `${'? '.repeat(n)}x\n`],
    ['flow sequences', `${'['.repeat(n)}${']'.repeat(n)}\n`],
    ['flow mappings', `${'{a: '.repeat(n)}x${'}'.repeat(n)}\n`],
    ['single-pair flow mappings in sequences', `${'[a: '.repeat(n)}x${']'.repeat(n)}\n`],
    ['sequences of mappings', Array.from({ length: n / 2 }, (_, i) => `${' '.repeat(4 * i)}- a:`).join('\n') + ' x\n'],
    ['tags and anchors on every level', Array.from({ length: n }, (_, i) => `${' '.repeat(i)}!t &x${i} a:`).join('\n') + ' x\n'],
    ['explicit keys holding sequences', Array.from({ length: n / 2 }, (_, i) => `${' '.repeat(4 * i)}? - `).join('\n') + 'x\n'],
    [
      'comments between levels',
      Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a: # ${i}\n${' '.repeat(i)}# aside`).join('\n') + '\n' + ' '.repeat(n) + 'x\n',
    ],
  ])(`%s, ${n} deep, stay within a few tokens of the depth on the stack`, (_name, text) => {
    expect(parserStackPeak(text)).toBeLessThanOrEqual(MAX_NESTING_DEPTH + 4);
    expect(() => parseYamlDocuments(text)).not.toThrow();
  });

  it('reads what the yaml package reads, up to the depth limit', () => {
    const text = YAML.stringify({ a: nested(MAX_NESTING_DEPTH, [true, false]) });
    const [ours] = parseYamlDocuments(text);
    expect(ours!.toJS()).toEqual(YAML.parse(text));
  });

  it.each([
    ['flow', '['.repeat(100_000)],
    ['compact block sequences', `${'- '.repeat(100_000)}x`],
    ['block mappings', Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
  ])('stops on %s nested past the stack limit, where the parser has read little more than the limit', (_name, text) => {
    let error: unknown;
    try {
      parseYamlDocuments(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YamlTooDeep);
    expect((error as YamlTooDeep).offset).toBeLessThan(text.length / 2);
  });
});

describe('the YAML key checks', () => {
  const key = fc.constantFrom(
    'a',
    '"a"',
    "'a'",
    'b',
    '1',
    '"1"',
    '0x1',
    '1.0',
    '01',
    '-0',
    '0',
    'null',
    '~',
    '""',
    'true',
    'True',
    '.nan',
    '.NaN',
    '.inf',
    '&k a',
    '!!str 1',
    '*k',
    '? a',
    '? [a]',
    '[a]',
    '{a: 1}',
  );
  const value = fc.constantFrom('x', '1', '[]', '{}', '&v y', '*k');
  const block = fc
    .array(fc.tuple(key, value), { minLength: 1, maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => (k.startsWith('? ') ? `${k}\n: ${v}` : `${k}: ${v}`)).join('\n'));
  const flow = fc
    .array(fc.tuple(key, value), { minLength: 1, maxLength: 6 })
    .map((pairs) => `{${pairs.map(([k, v]) => `${k.replace(/^\? /, '')}: ${v}`).join(', ')}}`);
  const text = fc
    .tuple(fc.oneof(block, flow), fc.boolean())
    .map(
      ([map, nestedIn]) =>
        `first: &k seed\n${nestedIn ? `outer:\n  - ${map.replace(/\n/g, '\n    ')}` : `inner: ${map.includes('\n') ? `\n  ${map.replace(/\n/g, '\n  ')}` : map}`}\n`,
    );

  it('find every repeated key the yaml package finds, at the same place, with its message; in a text with other errors, the first is one of its errors', () => {
    fc.assert(
      fc.property(text, (yamlText) => {
        const theirs = YAML.parseAllDocuments(yamlText, { prettyErrors: false, uniqueKeys: true });
        const ours = parseYamlDocuments(yamlText);
        expect(Array.isArray(ours) && Array.isArray(theirs)).toBe(true);
        const view = (errors: readonly YAML.YAMLError[]) => errors.filter((e) => e.code !== 'NON_STRING_KEY').map((e) => [e.code, e.pos[0], e.message]);
        const sorted = (rows: unknown[][]) => [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
        const [mine, yours] = [view(ours[0]!.errors), view((theirs as YAML.Document.Parsed[])[0]!.errors)];
        expect(mine.length > 0, yamlText).toBe(yours.length > 0);
        if (yours.every(([code]) => code === 'DUPLICATE_KEY')) expect(sorted(mine), yamlText).toEqual(sorted(yours));
        else
          expect(
            yours.map((e) => JSON.stringify(e)),
            yamlText,
          ).toContain(JSON.stringify(mine[0]));
      }),
      { numRuns: 2000 },
    );
  });

  it('find a key that is a collection, or an alias of one, wherever the yaml package would stringify one', () => {
    fc.assert(
      fc.property(text, (yamlText) => {
        const ours = parseYamlDocuments(yamlText)[0]!;
        const theirs = (YAML.parseAllDocuments(yamlText, { prettyErrors: false, uniqueKeys: false }) as YAML.Document.Parsed[])[0]!;
        fc.pre(theirs.errors.length === 0);
        const warnings: string[] = [];
        const emit = vi.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => void warnings.push(String(w)));
        try {
          theirs.toJS({ maxAliasCount: 1000 });
        } catch {
          fc.pre(false);
        } finally {
          emit.mockRestore();
        }
        expect(
          ours.errors.some((e) => e.code === 'NON_STRING_KEY'),
          yamlText,
        ).toBe(warnings.some((w) => w.includes('Keys with collection values')));
      }),
      { numRuns: 2000 },
    );
  });

  it('read a mapping of 100,000 keys in linear time, and find its one repeated key', () => {
    const text = `${Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join('\n')}\nk7: again\n`;
    const [doc] = parseYamlDocuments(text);
    expect(doc!.errors.map((e) => [e.code, e.pos[0]])).toEqual([['DUPLICATE_KEY', text.lastIndexOf('k7:')]]);
  });

  it('report every one of 50,000 repeated keys, in the order of the text', () => {
    const text = 'a: 1\n'.repeat(50_000);
    const [doc] = parseYamlDocuments(text);
    expect(doc!.errors).toHaveLength(49_999);
    expect(doc!.errors.every((e, i) => e.code === 'DUPLICATE_KEY' && e.pos[0] === 5 * (i + 1))).toBe(true);
  });

  it('leave !!pairs alone, which may repeat a key', () => {
    const [doc] = parseYamlDocuments('a: !!pairs [b: 1, b: 2]\nc: !!omap [d: 1]\n');
    expect(doc!.errors).toEqual([]);
    expect(doc!.toJS()).toEqual({ a: [{ b: 1 }, { b: 2 }], c: new Map([['d', 1]]) });
  });
});

describe('copying the strings of a YAML value', () => {
  it('copies in arrays and plain objects only, leaving binary data and other objects as they are', () => {
    const [doc] = parseYamlDocuments(`bytes: !!binary ${Buffer.from('irsa2pi').toString('base64')}\nlist: [a-long-string-value, {k: another-long-string}]\n`);
    const value = doc!.toJS() as { bytes: Uint8Array; list: unknown[] };
    const bytes = value.bytes;
    class Opaque {
      readonly text = 'a string of more than twelve characters';
    }
    const opaque = Object.freeze(new Opaque());
    const kept = ownStrings({ ...value, opaque }) as typeof value & { opaque: Opaque };
    expect(kept.bytes).toBe(bytes);
    expect(kept.opaque).toBe(opaque);
    expect(kept.list).toEqual(['a-long-string-value', { k: 'another-long-string' }]);
  });
});

describe('the YAML alias limit', () => {
  const pairs = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: &a${i} v\nb${i}: *a${i}\n`).join('');

  it('admits as many aliases as the limit, and stops at the one past it', () => {
    expect(parseYamlDocuments(pairs(MAX_ALIASES))[0]!.errors).toEqual([]);
    const text = pairs(MAX_ALIASES + 1);
    expect(() => parseYamlDocuments(text)).toThrow(YamlTooManyAliases);
    try {
      parseYamlDocuments(text);
    } catch (e) {
      expect((e as YamlTooManyAliases).offset).toBe(text.lastIndexOf('*a'));
    }
  });

  it('counts no scalar that starts with a star', () => {
    const text = '--- |\n*not an alias\n--- "*quoted"\n--- [a*, "*b"]\n'.repeat(MAX_ALIASES);
    expect(parseYamlDocuments(text).every((doc) => doc.errors.length === 0)).toBe(true);
  });
});
