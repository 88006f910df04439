import { describe, expect, it } from 'vitest';
import { kubeListJson } from '../../../src/sources/live/kubernetes.js';
import { readEvidenceBundle } from '../../../src/sources/evidence/read-bundle.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('kubeListJson', () => {
  it('prints the List as kubectl -o json does: keys sorted at every level, 4-space indent, every key kept', () => {
    const item = JSON.parse(
      '{"kind":"ServiceAccount","metadata":{"namespace":"shop","name":"app","annotations":{"__proto__":"x","b":"1","a":"2"}},"apiVersion":"v1"}',
    ) as Record<string, unknown>;
    const text = kubeListJson([item]);
    expect(text).toBe(`{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "annotations": {
                    "__proto__": "x",
                    "a": "2",
                    "b": "1"
                },
                "name": "app",
                "namespace": "shop"
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
`);
    const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-kube-list-'));
    mkdirSync(join(dir, 'aws'));
    mkdirSync(join(dir, 'kubernetes', 'c1'), { recursive: true });
    writeFileSync(join(dir, 'aws', 'cluster.json'), JSON.stringify({ cluster: { name: 'c1', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/c1' } }));
    writeFileSync(join(dir, 'kubernetes', 'c1', 'resources.json'), text);
    expect(Object.keys(readEvidenceBundle(dir).clusters[0]!.kubernetes!.serviceAccounts[0]!.annotations)).toEqual(['__proto__', 'a', 'b']);
  });
});
