import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

/** Every `{{…}}` is a block, partial, comment, `else`, or a call of an escaping helper. */
export function expectHelpersOnly(dir: string): void {
  for (const f of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    for (const m of text.matchAll(/\{\{~?([^}]*)~?\}\}/g)) {
      const body = m[1]!.trim();
      expect(/^([#/>!^]|else$)/.test(body) || /^(sq|hcl|comment|ident) /.test(body), `${f}: {{${body}}}`).toBe(true);
    }
  }
}
