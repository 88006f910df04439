import { readEvidenceBundle } from './src/sources/evidence/read-bundle.js';
import { plan } from './src/plan/plan.js';
import { audit } from './src/rules/index.js';
const dir = process.argv[2]!;
const inv = readEvidenceBundle(dir);
const fs = audit(inv);
for (const f of fs) console.log(f.severity, f.rule, f.message);
