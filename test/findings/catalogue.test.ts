import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_RULES, CATALOGUE, catalogueEntry, PLANNING_RULES, RULE_ERROR } from '../../src/findings/catalogue.js';
import { helpUri } from '../../src/findings/entry.js';
import { SEVERITIES } from '../../src/findings/model.js';
import { rulesDoc } from '../../src/findings/rules-doc.js';
import { RULES } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the findings catalogue', () => {
  it('has every rule once, with a kebab-case id, a known severity, full text, its kind and its section of docs/rules.md', () => {
    const ids = CATALOGUE.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of CATALOGUE) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(SEVERITIES).toContain(r.severity);
      expect(r.title && r.explanation && r.fix, r.id).toBeTruthy();
      expect(r.doc).toBe(`docs/rules.md#${r.id}`);
      expect(helpUri(r)).toMatch(new RegExp(`^https://[^#]+/docs/rules\\.md#${r.id}$`));
      expect(catalogueEntry(r.id)).toBe(r);
    }
    expect(Object.values(PLANNING_RULES).every((r) => r.kind === 'planning')).toBe(true);
    expect(Object.values(AUDIT_RULES).every((r) => r.kind === 'audit')).toBe(true);
    expect(RULE_ERROR.kind).toBe('audit');
  });

  it('is where every audit rule takes its entry from, in the order the audit runs them', () => {
    expect(RULES.map((r) => r.id)).toEqual(Object.values(AUDIT_RULES).map((r) => r.id));
    for (const rule of RULES) {
      const entry = Object.fromEntries(Object.entries(rule).filter(([key]) => key !== 'check'));
      expect(entry, rule.id).toEqual(catalogueEntry(rule.id));
    }
  });

  it('is the one home of rule texts: no file under src/rules/ or src/plan/ spells out a title, explanation or fix', () => {
    for (const dir of ['rules', 'plan']) {
      for (const file of readdirSync(join(ROOT, 'src', dir))) {
        const text = readFileSync(join(ROOT, 'src', dir, file), 'utf8');
        expect(text, `src/${dir}/${file}`).not.toMatch(/^\s*(title|explanation|fix)\s*:/m);
      }
    }
  });
});

describe('docs/rules.md', () => {
  it('is what the generator makes from the catalogue now', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
    expect(committed === rulesDoc(), 'docs/rules.md is out of date with the findings catalogue: run `npm run docs:rules` and commit the result').toBe(true);
  });

  it('has one section per rule, headed by its id (so #<id> is its anchor), with its severity, kind, title, explanation and fix', () => {
    const doc = rulesDoc();
    for (const r of CATALOGUE) {
      const at = doc.indexOf(`\n### ${r.id}\n`);
      expect(at, r.id).toBeGreaterThan(0);
      const end = doc.indexOf('\n### ', at + 1);
      const body = doc.slice(at, end < 0 ? undefined : end);
      for (const text of [`Severity: ${r.severity}`, `Kind: ${r.kind}`, r.title, r.explanation, r.fix]) expect(body, r.id).toContain(text);
    }
    expect(doc.match(/^### /gm)).toHaveLength(CATALOGUE.length);
  });
});
