/** An IAM policy document as found in evidence (a parsed JSON object). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: readonly RawStatement[] | RawStatement;
}

/** A statement exactly as written: every field may be a string or a list. */
export interface RawStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: RawPrincipal;
  readonly NotPrincipal?: RawPrincipal;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | number | readonly (string | boolean | number)[]>>>>;
}

export type RawPrincipal = '*' | Readonly<Record<string, string | readonly string[]>>;

/** A principal with its type (`AWS`, `Federated`, `Service`, `CanonicalUser`) or `*` for everyone. */
export interface PrincipalSet {
  readonly everyone: boolean;
  readonly byType: Readonly<Record<string, readonly string[]>>;
}

/** One key test inside a `Condition` block. */
export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLike`. */
  readonly operatorAsWritten: string;
  /** The base operator without qualifier or `IfExists`, e.g. `StringLike`. */
  readonly operator: string;
  readonly qualifier: 'ForAnyValue' | 'ForAllValues' | null;
  readonly ifExists: boolean;
  /** The key as written; keys compare case-insensitively. */
  readonly key: string;
  /** The key lower-cased: condition keys compare case-insensitively. */
  readonly lowerKey: string;
  readonly values: readonly string[];
}

/** A statement in one normalized shape: lists everywhere, `Not*` kept apart. */
export interface NormalizedStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: PrincipalSet | null;
  readonly notPrincipal: PrincipalSet | null;
  readonly actions: readonly string[] | null;
  readonly notActions: readonly string[] | null;
  readonly conditions: readonly ConditionClause[];
  readonly raw: RawStatement;
}

export function asList<T>(value: T | readonly T[] | undefined | null): readonly T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function principalSet(raw: RawPrincipal | undefined): PrincipalSet | null {
  if (raw === undefined) return null;
  if (raw === '*') return { everyone: true, byType: {} };
  const byType: Record<string, readonly string[]> = {};
  for (const [type, value] of Object.entries(raw)) byType[type] = asList(value).map(String);
  return { everyone: false, byType };
}

export function splitOperator(written: string): Pick<ConditionClause, 'operator' | 'qualifier' | 'ifExists'> {
  let rest = written;
  let qualifier: ConditionClause['qualifier'] = null;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix === 'ForAnyValue' || prefix === 'ForAllValues') qualifier = prefix;
    rest = rest.slice(colon + 1);
  }
  const ifExists = rest.endsWith('IfExists');
  return { operator: ifExists ? rest.slice(0, -'IfExists'.length) : rest, qualifier, ifExists };
}

function conditionClauses(raw: RawStatement['Condition']): ConditionClause[] {
  const clauses: ConditionClause[] = [];
  for (const [operatorAsWritten, tests] of Object.entries(raw ?? {})) {
    const parts = splitOperator(operatorAsWritten);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- normalizeStatements is exported: a JavaScript caller's document may hold a null test block, which has no clauses
    for (const [key, values] of Object.entries(tests ?? {})) {
      clauses.push({ operatorAsWritten, ...parts, key, lowerKey: key.toLowerCase(), values: asList(values).map(String) });
    }
  }
  return clauses;
}

/** What normalizing one raw statement yields wherever it stands: documents that share a statement object can share it. */
export type StatementParts = Pick<NormalizedStatement, 'principal' | 'notPrincipal' | 'actions' | 'notActions' | 'conditions'>;

function partsOf(raw: RawStatement): StatementParts {
  return {
    principal: principalSet(raw.Principal),
    notPrincipal: principalSet(raw.NotPrincipal),
    actions: raw.Action === undefined ? null : asList(raw.Action),
    notActions: raw.NotAction === undefined ? null : asList(raw.NotAction),
    conditions: conditionClauses(raw.Condition),
  };
}

/** Normalizes every statement of a policy document, keeping the raw statement beside it. */
export function normalizeStatements(doc: PolicyDocument): NormalizedStatement[] {
  return normalizeSharing(doc, new WeakMap());
}

/**
 * {@link normalizeStatements} for documents that share statement objects (a rewritten trust keeps the
 * current one's): a statement object whose parts are in `shared` is not normalized again.
 */
export function normalizeSharing(doc: PolicyDocument, shared: WeakMap<RawStatement, StatementParts>): NormalizedStatement[] {
  return asList(doc.Statement).map((raw, index) => {
    let parts = shared.get(raw);
    if (!parts) {
      parts = partsOf(raw);
      shared.set(raw, parts);
    }
    return {
      index,
      sid: raw.Sid,
      effect: raw.Effect,
      principal: parts.principal,
      notPrincipal: parts.notPrincipal,
      actions: parts.actions,
      notActions: parts.notActions,
      conditions: parts.conditions,
      raw,
    };
  });
}

/**
 * How messages name a statement: its `Sid` when that is one IAM accepts (ASCII letters and digits; `_`
 * and `-` allowed too), else `#<index>`: no Sid, an empty one (what `aws_iam_policy_document` writes as
 * `"Sid": ""`), one of spaces, invisible or control characters, or one like `#0` that would read as another
 * statement's index.
 */
export function statementLabel(st: Pick<NormalizedStatement, 'sid' | 'index'>): string {
  const sid: unknown = st.sid;
  return typeof sid === 'string' && /^[A-Za-z0-9_-]+$/.test(sid) ? sid : `#${String(st.index)}`;
}

/** Why a value is not a usable policy document, or undefined when it is. */
export function policyShapeProblem(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'policy document is not a JSON object';
  const statements = (doc as { Statement?: unknown }).Statement;
  if (statements === undefined) return 'policy document has no Statement';
  for (const [i, s] of asList(statements as unknown).entries()) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return `Statement[${i}] is not an object`;
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') return `Statement[${i}].Effect must be "Allow" or "Deny"`;
    for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
      const v = st[field];
      if (v !== undefined && !isStringOrStringList(v)) return `Statement[${i}].${field} must be a string or a list of strings`;
    }
    for (const field of ['Principal', 'NotPrincipal'] as const) {
      const v = st[field];
      if (v === undefined || v === '*') continue;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `Statement[${i}].${field} must be "*" or an object`;
      for (const [type, value] of Object.entries(v)) {
        if (!isStringOrStringList(value)) return `Statement[${i}].${field}.${type} must be a string or a list of strings`;
      }
    }
    if (st.Condition !== undefined) {
      if (typeof st.Condition !== 'object' || st.Condition === null || Array.isArray(st.Condition)) {
        return `Statement[${i}].Condition must be an object`;
      }
      for (const [op, tests] of Object.entries(st.Condition as Record<string, unknown>)) {
        if (typeof tests !== 'object' || tests === null || Array.isArray(tests)) return `Statement[${i}].Condition.${op} must be an object`;
        for (const [key, value] of Object.entries(tests as Record<string, unknown>)) {
          const ok = asList(value).every((x) => ['string', 'boolean', 'number'].includes(typeof x));
          if (!ok) return `Statement[${i}].Condition.${op}.${key} must be a string, number, boolean or a list of them`;
        }
      }
    }
  }
  return undefined;
}

function isStringOrStringList(v: unknown): boolean {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}
