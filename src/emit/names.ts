/**
 * Name checks and escaping for the emitters that write code (Terraform, bash).
 *
 * The planner blocks an identity whose names break the AWS / Kubernetes naming rules
 * (`src/plan/names.ts`); the checks here are the emitters' last resort, refusing the output should a
 * plan hand them such a name anyway. Scripts single-quote every value on top of that; Terraform
 * carries any string, escaped for HCL.
 * @module
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { visible } from '../escape.js';
import type { PlannedAssociation, PlannedRole } from '../plan/model.js';
import { push } from '../group.js';
import { isValidName, NAME_RULES, type NameKind } from '../plan/names.js';

/**
 * Throws an {@link InputError} naming the value (JSON-quoted, so newlines and quotes show) unless it
 * follows the naming rule of `kind`. `context` says where it came from.
 */
export function checkName(kind: NameKind, value: string, context: string): string {
  if (!isValidName(kind, value)) {
    throw new InputError(`refusing to emit: ${context}: ${JSON.stringify(value)} is not ${NAME_RULES[kind].rule}`);
  }
  return value;
}

/** `it's` → `'it'\''s'`: one shell word, whatever the value holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A value as an HCL quoted string: quotes, backslashes, `${` and `%{` escaped, and controls, bidi and
 * invisible characters as `\uNNNN` / `\UNNNNNNNN` escapes (the same value, visible in review).
 */
export function hclString(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (visible(ch) === ch) out += ch;
    else out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  // A replacer function: in a replacement string `$$` would mean a single `$`.
  return `"${out.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')}"`;
}

/**
 * Text safe inside a one-line `#` comment (HCL or shell) or a label line of a generated README: line
 * breaks, tabs, other controls, bidi and invisible characters become visible escapes ({@link visible}).
 */
export function commentText(value: string): string {
  return visible(value);
}

/** A short stable hash of `key`, for disambiguating names. */
export function shortHash(key: string, length = 8): string {
  return createHash('sha256').update(key).digest('hex').slice(0, length);
}

/** `key` reduced to an identifier: `[a-zA-Z_][a-zA-Z0-9_-]*`, lower case. */
export function identifierOf(text: string): string {
  const base = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, 60);
  return /^[a-z_]/.test(base) ? base : `_${base}`;
}

/**
 * Gives every key a valid, unique identifier derived from its `label`; labels that collide (after
 * sanitising) get a hash of their key appended, so names depend only on the keys, not on order.
 */
export function uniqueIdentifiers(entries: readonly { key: string; label: string }[], reserved: ReadonlySet<string> = new Set()): Map<string, string> {
  const byBase = new Map<string, string[]>();
  for (const e of entries) {
    const base = identifierOf(e.label);
    push(byBase, base, e.key);
  }
  const out = new Map<string, string>();
  for (const e of entries) {
    const base = identifierOf(e.label);
    const clash = (byBase.get(base)?.length ?? 0) > 1 || reserved.has(base);
    out.set(e.key, clash ? `${base}_${shortHash(e.key)}` : base);
  }
  return out;
}

/** A file-name component from a name: characters outside `[A-Za-z0-9+=,.@_-]` and a leading dot replaced. */
export function fileComponent(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9+=,.@_-]/g, '_').replace(/^\./, '_');
  return safe === name ? safe : `${safe}-${shortHash(name)}`;
}

/** Checks every name of a migrating identity; throws an InputError naming the first bad value. */
export function checkPlannedAssociation(a: PlannedAssociation): void {
  const where = `identity ${JSON.stringify(`${a.cluster}/${a.namespace}/${a.serviceAccount}`)}`;
  checkName('cluster', a.cluster, `${where}: cluster name`);
  checkName('account', a.accountId, `${where}: account`);
  checkName('region', a.region, `${where}: region`);
  checkName('namespace', a.namespace, `${where}: namespace`);
  checkName('serviceAccount', a.serviceAccount, `${where}: service account`);
  checkName('roleArn', a.currentRoleArn, `${where}: annotated role`);
  checkName('roleArn', a.roleArn, `${where}: association role`);
  if (a.targetRoleArn !== null) checkName('roleArn', a.targetRoleArn, `${where}: target role`);
  if (a.addon !== null) checkName('addon', a.addon, `${where}: add-on`);
  if (a.existingAssociationId !== null) checkName('associationId', a.existingAssociationId, `${where}: existing association id`);
  for (const w of a.workloads) {
    checkName('workloadKind', w.kind, `${where}: workload kind`);
    checkName('workload', w.name, `${where}: workload name`);
  }
}

/** Checks every name of a role the output writes or changes; throws an InputError naming the first bad value. */
export function checkPlannedRole(r: PlannedRole): void {
  const where = `role ${JSON.stringify(r.arn)}`;
  checkName('roleArn', r.arn, `${where}: ARN`);
  checkName('account', r.accountId, `${where}: account`);
  checkName('roleName', r.name, `${where}: name`);
  checkName('rolePath', r.path, `${where}: path`);
  if (r.chainsTo !== null) checkName('roleArn', r.chainsTo, `${where}: chained role`);
}
