import { describe, it, expect } from 'vitest';
import { contextFor, explicitContexts } from '../../../src/sources/live/contexts.js';
import { cliTimestamp, decodePolicyDocument } from '../../../src/sources/live/cli-json.js';
import { InputError } from '../../../src/errors.js';

const c1 = { name: 'c1', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/c1', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' };

describe('kube context selection', () => {
  it('pairs bare --context values with --cluster in order, or takes NAME=CTX', () => {
    expect([...explicitContexts(['a', 'c3=x'], ['c1', 'c2'])]).toEqual([
      ['c1', 'a'],
      ['c3', 'x'],
    ]);
    expect(() => explicitContexts(['a'], [])).toThrow(InputError);
  });

  it('picks the context whose server is the cluster endpoint, else an explicit one, else none', () => {
    const contexts = [
      { name: 'other', server: 'https://other.example' },
      { name: 'prod', server: 'https://abc.gr7.eu-west-1.eks.amazonaws.com/' },
    ];
    expect(contextFor(c1, new Map(), contexts)).toBe('prod');
    expect(contextFor(c1, new Map([['c1', 'other']]), contexts)).toBe('other');
    expect(contextFor(c1, new Map([[c1.arn, 'x']]), contexts)).toBe('x');
    expect(contextFor({ ...c1, endpoint: 'https://nope' }, new Map(), contexts)).toBeUndefined();
  });
});

describe('AWS CLI output shapes', () => {
  it('prints timestamps as AWS CLI v1 does', () => {
    expect(cliTimestamp(new Date('2024-04-16T09:12:44.569Z'))).toBe('2024-04-16T09:12:44.569000+00:00');
    expect(cliTimestamp(new Date('2024-04-16T09:12:44Z'))).toBe('2024-04-16T09:12:44+00:00');
  });

  it('decodes URL-encoded and JSON-string policy documents', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }] };
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc);
    expect(decodePolicyDocument(doc)).toEqual(doc);
  });
});
