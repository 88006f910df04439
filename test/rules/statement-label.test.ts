import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asList, statementLabel, type RawStatement } from '../../src/iam/policy.js';
import type { Inventory } from '../../src/model/inventory.js';
import { audit, RULES } from '../../src/rules/index.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const RULE_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'rules');

function withSids(inventory: Inventory, sid: string): Inventory {
  return {
    ...inventory,
    roles: inventory.roles.map((role) => ({
      ...role,
      trustPolicy: { ...role.trustPolicy, Statement: asList(role.trustPolicy.Statement).map((st): RawStatement => ({ ...st, Sid: sid })) },
    })),
  };
}

describe('statement labels', () => {
  it('name a statement by its Sid, or by its index when the Sid is missing, empty, blank or not a string', () => {
    expect(statementLabel({ sid: 'AllowCart', index: 3 })).toBe('AllowCart');
    expect(statementLabel({ sid: undefined, index: 3 })).toBe('#3');
    expect(statementLabel({ sid: '', index: 0 })).toBe('#0');
    expect(statementLabel({ sid: ' \t', index: 1 })).toBe('#1');
    expect(statementLabel({ sid: 7 as unknown as string, index: 2 })).toBe('#2');
  });

  it.each(['\u200b', '\u001b[2J', 'a\nb', '#0', 'Allow Cart', 'caf\u00e9'])('name a statement by its index when its Sid %j is not one IAM accepts', (sid) => {
    expect(statementLabel({ sid, index: 1 })).toBe('#1');
  });

  it.each(['', '  '])('never leave a blank in a finding about a statement whose Sid is %j (every rule, on its fires fixture)', (sid) => {
    let statementFindings = 0;
    for (const { id } of RULES) {
      const inventory = withSids(readEvidenceBundle(join(RULE_FIXTURES, id, 'fires')), sid);
      for (const f of audit(inventory)) {
        expect(f.message, f.rule).not.toMatch(/statement(\s{2,}|\s*$)/);
        if (/statement #\d+/.test(f.message)) statementFindings++;
      }
    }
    expect(statementFindings).toBeGreaterThanOrEqual(4);
  });
});
