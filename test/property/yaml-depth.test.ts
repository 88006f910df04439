import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as YAML from 'yaml';
import { MAX_NESTING_DEPTH, MAX_PARSER_STACK, parseYamlDocuments, YamlTooDeep } from '../../src/sources/evidence/parse.js';

/** Levels of arrays and objects in a parsed value: a scalar is 0. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** The deepest the yaml parser's stack grows while it reads `text`. */
function parserStackPeak(text: string): number {
  const parser = new YAML.Parser();
  let peak = 0;
  for (const lexeme of new YAML.Lexer().lex(text)) {
    for (const _ of parser.next(lexeme));
    peak = Math.max(peak, parser.stack.length);
  }
  for (const _ of parser.end());
  return peak;
}

/** A value nested `depth` deep, each level an array or an object as `shapes` says. */
const nested = (depth: number, shapes: readonly boolean[]): unknown =>
  Array.from({ length: depth }).reduce<unknown>((inner, _, i) => (shapes[i % shapes.length] ? [inner] : { k: inner }), 'x');

const style = fc.record({
  indentSeq: fc.boolean(),
  indent: fc.integer({ min: 2, max: 4 }),
  collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any' | 'block' | 'flow'>,
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'BLOCK_LITERAL') as fc.Arbitrary<'PLAIN'>,
});

describe('the YAML nesting guard', () => {
  it('the parser stack grows by about one token a level, so that a document the depth limit admits never reaches the stack limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: MAX_NESTING_DEPTH }), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), style, (extra, depth, shapes, options) => {
        const value = { a: nested(depth, shapes), b: extra };
        const text = YAML.stringify(value, { ...options, lineWidth: 0 });
        const docs = YAML.parseAllDocuments(text);
        fc.pre(Array.isArray(docs) && docs.length === 1 && docs[0]!.errors.length === 0);
        expect(parserStackPeak(text)).toBeLessThanOrEqual(depthOf(docs[0]!.toJS()) + 4);
      }),
      { numRuns: 300 },
    );
    expect(MAX_PARSER_STACK).toBeGreaterThanOrEqual(2 * (MAX_NESTING_DEPTH + 4));
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
    ['comments between levels', Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a: # ${i}\n${' '.repeat(i)}# aside`).join('\n') + '\n' + ' '.repeat(n) + 'x\n'],
  ])(`%s, ${n} deep, stay within a few tokens of the depth on the stack`, (_name, text) => {
    expect(parserStackPeak(text)).toBeLessThanOrEqual(MAX_NESTING_DEPTH + 4);
    expect(() => parseYamlDocuments(text, { prettyErrors: false, uniqueKeys: true })).not.toThrow();
  });

  it('reads what the yaml package reads, up to the depth limit', () => {
    const text = YAML.stringify({ a: nested(MAX_NESTING_DEPTH, [true, false]) });
    const [ours] = parseYamlDocuments(text, { prettyErrors: false, uniqueKeys: true });
    expect(ours!.toJS()).toEqual(YAML.parse(text));
  });

  it.each([
    ['flow', '['.repeat(100_000)],
    ['compact block sequences', `${'- '.repeat(100_000)}x`],
    ['block mappings', Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')],
  ])('stops on %s nested past the stack limit, where the parser has read little more than the limit', (_name, text) => {
    let error: unknown;
    try {
      parseYamlDocuments(text, { prettyErrors: false, uniqueKeys: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YamlTooDeep);
    expect((error as YamlTooDeep).offset).toBeLessThan(text.length / 2);
  });
});
