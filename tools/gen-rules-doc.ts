// Writes docs/rules.md from the findings catalogue: `npm run docs:rules`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES_DOC } from '../src/findings/entry.js';
import { rulesDoc } from '../src/findings/rules-doc.js';

const target = join(import.meta.dirname, '..', RULES_DOC);
writeFileSync(target, rulesDoc());
process.stdout.write(`wrote ${RULES_DOC}\n`);
