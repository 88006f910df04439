#!/usr/bin/env node
/**
 * Generates the JSON Schemas of the plan and report contracts (schemas/*.schema.json) from their
 * TypeScript types with ts-json-schema-generator, adding $id, title and the contract's description.
 * `node tools/gen-schemas.mjs` writes them; `--check` exits 1 when a committed schema differs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const COMPATIBILITY =
  'A new optional field is not a breaking change; any other change (a removed or renamed field, a new required field, a narrowed or changed type, a new enum value) bumps schemaVersion.';

/** The contracts: the type each schema is generated from, where it lives, and how it is described. */
export const CONTRACTS = [
  {
    file: 'schemas/plan.schema.json',
    source: 'src/plan/model.ts',
    type: 'Plan',
    id: 'urn:irsa2pi:schema:plan:1',
    title: 'irsa2pi migration plan (`irsa2pi plan --format json`, schemaVersion 1)',
    description:
      'The migration plan from IRSA to EKS Pod Identity: summary counts, one association per annotated service account, the roles whose trust the plan reads, rewrites or creates, the findings, and the ordered steps.',
    dateTimes: [['Plan', 'generatedAt']],
  },
  {
    file: 'schemas/report.schema.json',
    source: 'src/report/model.ts',
    type: 'Report',
    id: 'urn:irsa2pi:schema:report:1',
    title: 'irsa2pi audit report (`irsa2pi report --format json`, schemaVersion 1)',
    description:
      "The auditor's report: per cluster, which pods can act as which IAM role today (IRSA and Pod Identity), the open roles, all findings grouped by severity, the plan's summary and steps, and the evidence it was built from.",
    dateTimes: [['Report', 'generatedAt']],
  },
];

const AS_FOUND = 'Written as found in the evidence: irsa2pi checks the elements it evaluates and passes the rest through unchanged.';

/**
 * Policy documents are the evidence's own objects, checked only where irsa2pi evaluates them
 * (`policyShapeProblem`), so their schema admits what that check admits: other elements, any
 * `Version`, `Id` and `Sid`, and a null condition value.
 */
function policiesAsFound(definitions) {
  const doc = definitions.PolicyDocument;
  const statement = definitions.RawStatement;
  if (!doc && !statement) return;
  const values = statement?.properties?.Condition?.additionalProperties?.additionalProperties?.anyOf;
  if (!doc?.properties?.Version || !doc.properties.Id || !statement?.properties?.Sid || !values) {
    throw new Error('gen-schemas: PolicyDocument or RawStatement no longer has the shape policiesAsFound expects');
  }
  doc.additionalProperties = true;
  doc.properties.Version = {};
  doc.properties.Id = {};
  doc.description = `${doc.description} ${AS_FOUND}`;
  statement.additionalProperties = true;
  statement.properties.Sid = {};
  values.push({ type: 'null' });
  statement.description = `${statement.description} ${AS_FOUND}`;
}

/** The schema text for one contract, as committed. */
function schemaFor(contract) {
  const generator = createGenerator({
    path: join(ROOT, contract.source),
    tsconfig: join(ROOT, 'tsconfig.json'),
    type: contract.type,
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: false,
    skipTypeCheck: true,
  });
  const generated = generator.createSchema(contract.type);
  for (const [definition, property] of contract.dateTimes) {
    /** @type {Record<string, import('ts-json-schema-generator').Definition | undefined>} */
    const definitions = generated.definitions ?? {};
    const target = definitions[definition]?.properties?.[property];
    if (!target) throw new Error(`gen-schemas: ${definition}.${property} is not in the generated ${contract.type} schema`);
    target.format = 'date-time';
  }
  policiesAsFound(generated.definitions ?? {});
  const { $schema, ...rest } = generated;
  const schema = { $schema, $id: contract.id, title: contract.title, description: `${contract.description} ${COMPATIBILITY}`, ...rest };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Every schema file (path relative to the repository root) and the text the generator makes for it now. */
export function generateSchemas() {
  return CONTRACTS.map((contract) => ({ file: contract.file, text: schemaFor(contract) }));
}

function committed(file) {
  try {
    return readFileSync(join(ROOT, file), 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, text } of generateSchemas()) {
    if (check) {
      if (committed(file) !== text) {
        process.stderr.write(`gen-schemas: ${file} differs from the types; run \`npm run schemas\` and commit it\n`);
        stale++;
      }
    } else {
      writeFileSync(join(ROOT, file), text);
      process.stderr.write(`gen-schemas: wrote ${file}\n`);
    }
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
