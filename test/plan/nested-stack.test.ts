/** A role of a nested CloudFormation stack: its template belongs to the root stack's updates. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLANNING_RULES as R } from '../../src/findings/planning-rules.js';
import type { Plan } from '../../src/plan/model.js';
import { plan } from '../../src/plan/plan.js';
import { readEvidenceBundle } from '../../src/sources/evidence/read-bundle.js';

const ESTATE = join(import.meta.dirname, '..', '..', 'fixtures', 'owners', 'estate');
const ACCT = '111122223333';
const REGION_DIR = `aws/${ACCT}/eu-west-1`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function estate(): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa2pi-review-owners-'));
  dirs.push(dir);
  cpSync(ESTATE, dir, { recursive: true });
  return dir;
}

function edit(dir: string, file: string, change: (doc: Record<string, any>) => void): void {
  const path = join(dir, file);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
  change(doc);
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

const planOf = (dir: string): Plan => plan(readEvidenceBundle(dir), { generatedAt: '2026-01-01T00:00:00Z' });

describe('a role of a nested stack', () => {
  it('is blocked (owner-unsafe): a change set of the nested stack itself is undone by the next update of its root stack', () => {
    const dir = estate();
    edit(dir, `${REGION_DIR}/cloudformation-stacks.json`, (d) => {
      const s = d.Stacks[0];
      s.ParentId = `arn:aws:cloudformation:eu-west-1:${ACCT}:stack/platform-root/0a1b2c3d-0000-11ef-8a3e-0a8b2c4d6e11`;
      s.RootId = s.ParentId;
    });
    const p = planOf(dir);
    const cart = p.associations.find((a) => a.namespace === 'shop' && a.serviceAccount === 'cart')!;
    expect(cart).toMatchObject({ status: 'blocked', reasons: [R.ownerUnsafe.id] });
    expect(p.findings.find((f) => f.rule === R.ownerUnsafe.id && f.serviceAccount === 'cart')?.message).toMatch(/nested|root stack|parent/i);
  });
});
