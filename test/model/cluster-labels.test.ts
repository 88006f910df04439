import { describe, expect, it } from 'vitest';
import { clusterLabels } from '../../src/model/cluster-labels.js';

describe('cluster labels in messages', () => {
  it('are names where unique, with the region where names clash, and the account where name and region clash', () => {
    expect(
      clusterLabels([
        { name: 'c1', region: 'eu-west-1', accountId: '111122223333' },
        { name: 'c1', region: 'eu-central-1', accountId: '111122223333' },
        { name: 'c2', region: 'eu-west-1', accountId: '111122223333' },
        { name: 'c3', region: 'us-east-1', accountId: '111122223333' },
        { name: 'c3', region: 'us-east-1', accountId: '444455556666' },
      ]),
    ).toEqual(['c1 (eu-west-1)', 'c1 (eu-central-1)', 'c2', 'c3 (us-east-1, 111122223333)', 'c3 (us-east-1, 444455556666)']);
  });
});
