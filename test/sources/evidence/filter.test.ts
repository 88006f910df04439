import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import type { Inventory, ScanGap } from '../../../src/model/inventory.js';
import { filterInventory } from '../../../src/sources/evidence/filter.js';
import { cluster, inventory, role } from '../../helpers/inventory.js';

const gap = (scope: ScanGap['scope'], name: string, region: string | undefined): ScanGap => ({
  scope,
  name,
  region,
  error: 'AccessDenied',
  source: 'scan-gaps.json',
});

function bundle(): Inventory {
  const eu = cluster('eu');
  const us = { ...cluster('us'), region: 'us-east-1', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/us' };
  return {
    ...inventory([eu, us], [role('app', []), role('other', [])]),
    addons: [eu, us].map((c) => ({
      name: 'vpc-cni',
      clusterName: c.name,
      clusterArn: c.arn,
      version: undefined,
      serviceAccountRoleArn: undefined,
      namespace: undefined,
      podIdentityAssociations: [],
      source: 'x',
    })),
    scanGaps: [gap('region', 'ap-south-1', 'ap-south-1'), gap('cluster', 'down', 'eu-west-1'), gap('cluster', 'lost', 'eu-west-1,us-east-1')],
  };
}

describe('filterInventory (--cluster and --region over a bundle)', () => {
  it('keeps the named clusters, their add-ons and the scan gaps about them; every role', () => {
    const kept = filterInventory(bundle(), { clusters: [], regions: ['us-east-1'] }, 'b');
    expect(kept.clusters.map((c) => c.name)).toEqual(['us']);
    expect(kept.addons.map((a) => a.clusterName)).toEqual(['us']);
    expect(kept.scanGaps.map((g) => g.name)).toEqual(['lost']);
    expect(kept.roles.map((r) => r.name)).toEqual(['app', 'other']);
  });

  it('a region or cluster known only from a scan gap is no error: the gap stays, so the result says it is partial', () => {
    expect(filterInventory(bundle(), { clusters: [], regions: ['ap-south-1'] }, 'b').scanGaps.map((g) => g.name)).toEqual(['ap-south-1']);
    const down = filterInventory(bundle(), { clusters: ['down'], regions: [] }, 'b');
    expect(down.clusters).toEqual([]);
    expect(down.scanGaps.map((g) => g.name)).toEqual(['ap-south-1', 'down']);
  });

  it('a name the bundle has neither a cluster nor a gap for is an error naming it', () => {
    expect(() => filterInventory(bundle(), { clusters: ['nope'], regions: [] }, 'b')).toThrow(InputError);
    expect(() => filterInventory(bundle(), { clusters: ['down'], regions: ['us-east-1'] }, 'b')).toThrow(
      /--cluster down: the evidence bundle b has no cluster of that name in us-east-1 \(it has us\)/,
    );
  });
});
