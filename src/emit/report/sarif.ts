import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, sep } from 'node:path';
import { CATALOGUE } from '../../findings/catalogue.js';
import { helpUri, PROJECT_URI } from '../../findings/entry.js';
import { compareFindings, type CatalogueEntry, type Finding, type Severity } from '../../findings/model.js';
import { accountOf, roleNameAndPath } from '../../iam/arn.js';
import type { Report, ReportEvidenceFile } from '../../report/model.js';
import { jsonChunks } from '../json-chunks.js';
import { compareText } from '../../order.js';
import { got } from '../lookup.js';

/** The schema a SARIF log names: the OASIS standard's, SARIF 2.1.0 with errata 01. */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The key of a result's fingerprint in `partialFingerprints`: a hash of its rule and subjects. */
export const FINGERPRINT_KEY = 'irsa2piFindingHash/v1';

/** The `uriBaseId` of every location: the evidence bundle's directory, which result URIs are relative to. */
export const EVIDENCE_BASE = 'EVIDENCE';

/** What the SARIF log needs beyond the report. */
export interface SarifOptions {
  /** The directory the report's evidence paths start with; locations are written relative to it. */
  readonly bundle?: string;
}

/** irsa2pi's version, from its package.json (three levels up from src/emit/report/ and from dist/emit/report/). */
function toolVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const LEVELS: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** GitHub code scanning's scale: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, below low. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '1.0' };

const ROLE_FILE_KINDS = ['iam-get-role', 'iam-authorization-details', 'iam-list-roles'];

/** Whether a `get-role` file's name names the role: `<name>.json`, `role-<name>.json` or `get-role-<name>.json`. */
function namesRole(path: string, name: string): boolean {
  const stem = basename(path, extname(path));
  return stem === name || stem.replace(/^(get-)?role[-_]/i, '') === name;
}

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

/** Plain SARIF message text: square brackets escaped, so no part of a value reads as an embedded link. */
const plain = (text: string) => text.replace(/[\\[\]]/g, (b) => `\\${b}`);

function descriptor(rule: CatalogueEntry) {
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.explanation },
    help: {
      text: `${rule.explanation}\n\nFix: ${rule.fix}\n\n${helpUri(rule)}`,
      markdown: `${rule.explanation}\n\n**Fix:** ${rule.fix}\n\n[${rule.id} in the rules reference](${helpUri(rule)})`,
    },
    helpUri: helpUri(rule),
    defaultConfiguration: { level: LEVELS[rule.severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[rule.severity], tags: ['security', rule.kind] },
  };
}

/** The descriptor of a rule a finding names that the catalogue does not have (a library caller's own rule): its id as plain text, no help. */
function stubDescriptor(f: Finding) {
  return {
    id: f.rule,
    shortDescription: { text: f.rule },
    defaultConfiguration: { level: LEVELS[f.severity] },
    properties: { 'security-severity': SECURITY_SEVERITY[f.severity], tags: ['security'] },
  };
}

/** Which evidence file a finding is about: the service account's Kubernetes file, the role's IAM file, the cluster's description. */
class Locator {
  private readonly files: readonly ReportEvidenceFile[];

  constructor(
    report: Report,
    private readonly bundle: string | undefined,
  ) {
    this.files = [...report.evidence.files].sort((a, b) => compareText(a.path, b.path));
  }

  uri(f: Finding): string {
    const file = this.fileOf(f);
    if (!file) return '.';
    const rel = this.bundle === undefined ? file : relative(this.bundle, file);
    const inside = rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
    return (inside ? rel : file).split(sep).map(encodeURIComponent).join('/');
  }

  private fileOf(f: Finding): string | undefined {
    const ofCluster = (kind: string) => (f.cluster === undefined ? undefined : this.files.find((e) => e.kind === kind && e.cluster === f.cluster));
    if (f.serviceAccount !== undefined) {
      const kube = this.files.filter((e) => e.kind === 'kubernetes' && e.cluster === f.cluster);
      const file = kube.find((e) => /serviceaccount/i.test(basename(e.path))) ?? kube[0];
      if (file) return file.path;
    }
    if (f.roleArn !== undefined) {
      const account = accountOf(f.roleArn);
      const name = roleNameAndPath(f.roleArn)?.name;
      const candidates = this.files.filter((e) => ROLE_FILE_KINDS.includes(e.kind) && e.accountId === account);
      const own = candidates.find((e) => e.kind === 'iam-get-role' && name !== undefined && namesRole(e.path, name));
      const file = own ?? candidates.find((e) => e.kind !== 'iam-get-role');
      if (file) return file.path;
    }
    return (ofCluster('eks-describe-cluster') ?? ofCluster('kubernetes') ?? this.files.find((e) => e.kind === 'scan-gaps' && f.rule === 'scan-gap'))?.path;
  }
}

function logicalLocations(f: Finding) {
  const out: { name: string; fullyQualifiedName: string; kind: string }[] = [];
  if (f.cluster !== undefined) {
    const path = [f.cluster, f.namespace, f.serviceAccount].filter((p): p is string => p !== undefined);
    out.push({ name: path.at(-1) ?? f.cluster, fullyQualifiedName: path.join('/'), kind: 'resource' });
  }
  if (f.roleArn !== undefined) out.push({ name: roleNameAndPath(f.roleArn)?.name ?? f.roleArn, fullyQualifiedName: f.roleArn, kind: 'resource' });
  return out;
}

/** ARNs, OIDC issuers and statement numbers a message names: what tells apart findings of one rule about the same subjects, however the message is worded. */
const NAMED = /arn:[A-Za-z0-9:/._+=,@-]+|oidc\.eks\.[A-Za-z0-9./-]+|(?:statement|Statement\[?) ?#?\d+/g;

const subjectsOf = (f: Finding) =>
  JSON.stringify([
    f.rule,
    f.roleArn ?? null,
    f.cluster ?? null,
    f.namespace ?? null,
    f.serviceAccount ?? null,
    [...new Set(f.message.match(NAMED) ?? [])].filter((n) => n !== f.roleArn).sort(),
  ]);

/**
 * The report's findings as a SARIF 2.1.0 log for GitHub code scanning: one run, a rule descriptor per
 * catalogue entry, a result per finding. A result's fingerprint hashes its rule and subjects (not its
 * message, not the bundle's location), so code scanning follows a finding from run to run; findings of one
 * rule about the same subjects are told apart by the ARNs, issuers and statement numbers their messages
 * name, and only then by their rank (by message). The output is sorted and stable.
 */
export function reportSarif(report: Report, options: SarifOptions = {}): unknown {
  const findings = [...report.findings].sort(compareFindings);
  const known = new Set(CATALOGUE.map((r) => r.id));
  const extra = [...new Map(findings.filter((f) => !known.has(f.rule)).map((f) => [f.rule, stubDescriptor(f)])).values()].sort((a, b) =>
    compareText(a.id, b.id),
  );
  const rules = [...CATALOGUE.map(descriptor), ...extra];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const locator = new Locator(report, options.bundle);
  const version = toolVersion();
  const seen = new Map<string, number>();
  const results = findings.map((f) => {
    const subjects = subjectsOf(f);
    const rank = seen.get(subjects) ?? 0;
    seen.set(subjects, rank + 1);
    const logical = logicalLocations(f);
    return {
      ruleId: f.rule,
      ruleIndex: got(index, f.rule),
      level: LEVELS[f.severity],
      message: { text: plain(f.message) },
      locations: [
        { physicalLocation: { artifactLocation: { uri: locator.uri(f), uriBaseId: EVIDENCE_BASE } }, ...(logical.length ? { logicalLocations: logical } : {}) },
      ],
      partialFingerprints: {
        [FINGERPRINT_KEY]: createHash('sha256')
          .update(rank ? `${subjects}#${rank}` : subjects)
          .digest('hex'),
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'irsa2pi', version, semanticVersion: version, informationUri: PROJECT_URI, rules } },
        originalUriBaseIds: {
          [EVIDENCE_BASE]: { description: { text: 'The evidence bundle the report was made from; result locations are relative to it.' } },
        },
        results,
      },
    ],
  };
}

/** {@link reportSarif} as JSON text, two-space indented with a trailing newline; control, bidi and invisible characters `\u`-escaped. */
export function reportSarifChunks(report: Report, options: SarifOptions = {}): Iterable<string> {
  return jsonChunks(reportSarif(report, options));
}
