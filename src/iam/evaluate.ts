import { accountRootArn, partitionOf } from './arn.js';
import { compileGlob, hasWildcard, type Glob } from './glob.js';
import { mapIn, push } from '../group.js';
import type { ConditionClause, NormalizedStatement, PrincipalSet } from './policy.js';
import { present } from '../errors.js';

/** Three-valued logic: the evaluator says `unknown` rather than guess. */
export type Tri = 'yes' | 'no' | 'unknown';

/** Who asks to assume the role. */
export interface RequestPrincipal {
  readonly type: 'Federated' | 'Service' | 'AWS';
  readonly id: string;
  readonly accountId?: string;
}

/** The request context: values of the keys present, and which absent keys are known to be absent. */
export interface RequestContext {
  /** Values keyed by the lower-cased condition key. */
  readonly values: ReadonlyMap<string, readonly string[]>;
  /** For a lower-cased key missing from `values`: true when it is surely absent, false when its value is unknown. */
  readonly knowsAbsent: (lowerKey: string) => boolean;
}

/** An `sts:AssumeRole*` request against a role's trust policy; every action must be allowed. */
export interface AssumeRequest {
  readonly principal: RequestPrincipal;
  readonly actions: readonly string[];
  readonly context: RequestContext;
}

/** A decision with the clauses that could not be evaluated, when any. */
export interface Decision {
  readonly decision: Tri;
  readonly unknownBecause: readonly string[];
}

/** A condition operator: values without wildcards match by equality (caseless for `CASELESS_OPERATORS`). */
interface Operator {
  readonly negated: boolean;
  /** How a value with wildcards is compiled, for operators that have them. */
  readonly glob?: (pattern: string) => Glob;
}

const like = (pattern: string) => compileGlob(pattern);

function arnParts(s: string): string[] | undefined {
  const parts = s.split(':');
  return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** `ArnLike`: each of the six colon-separated ARN parts is matched on its own. */
function arnLike(pattern: string): Glob {
  const whole = compileGlob(pattern);
  const parts = arnParts(pattern)?.map((p) => compileGlob(p));
  if (!parts) return whole;
  return {
    test(value, meter) {
      const v = arnParts(value);
      return v ? parts.every((glob, i) => glob.test(present(v[i], 'a part of the ARN'), meter)) : whole.test(value, meter);
    },
  };
}

const OPERATORS: Readonly<Record<string, Operator>> = {
  StringEquals: { negated: false },
  StringNotEquals: { negated: true },
  StringEqualsIgnoreCase: { negated: false },
  StringNotEqualsIgnoreCase: { negated: true },
  StringLike: { negated: false, glob: like },
  StringNotLike: { negated: true, glob: like },
  ArnEquals: { negated: false, glob: arnLike },
  ArnLike: { negated: false, glob: arnLike },
  ArnNotEquals: { negated: true, glob: arnLike },
  ArnNotLike: { negated: true, glob: arnLike },
  Bool: { negated: false },
};

const LITERAL_VARIABLES = new Set(['${*}', '${?}', '${$}']);

function hasPolicyVariable(value: string): boolean {
  if (!value.includes('${')) return false;
  const vars = value.match(/\$\{[^}]*\}/g);
  return !!vars && vars.some((v) => !LITERAL_VARIABLES.has(v));
}

function unescapeVariables(value: string): string {
  if (!value.includes('${')) return value;
  return value
    .replace(/\$\{\*\}/g, '*')
    .replace(/\$\{\?\}/g, '?')
    .replace(/\$\{\$\}/g, '$');
}

interface ClauseFacts {
  readonly variables: boolean;
  readonly caseless: boolean;
  /** Policy values that match only themselves (lower-cased for IgnoreCase operators), for O(1) look-up. */
  readonly exact: ReadonlySet<string>;
  /** Policy values with wildcards, compiled, tested one by one. */
  readonly patterns: readonly Glob[];
}

const CASELESS_OPERATORS = new Set(['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'Bool']);
const clauseFacts = new WeakMap<ConditionClause, ClauseFacts>();

function factsOf(clause: ConditionClause): ClauseFacts {
  let facts = clauseFacts.get(clause);
  if (!facts) {
    const values = clause.values.map(unescapeVariables);
    const glob = OPERATORS[clause.operator]?.glob;
    const caseless = CASELESS_OPERATORS.has(clause.operator);
    const wildcards = glob ? values.filter(hasWildcard) : [];
    const exact = new Set((glob ? values.filter((v) => !hasWildcard(v)) : values).map((v) => (caseless ? v.toLowerCase() : v)));
    const escapedWildcard = glob !== undefined && clause.values.some((v) => v.includes('${*}') || v.includes('${?}'));
    const patterns = glob ? [...new Set(wildcards)].map(glob) : [];
    clauseFacts.set(clause, (facts = { variables: escapedWildcard || clause.values.some(hasPolicyVariable), caseless, exact, patterns }));
  }
  return facts;
}

const variablesIn = (clause: ConditionClause) => factsOf(clause).variables;

/** Whether a request value matches any of the clause's policy values under its operator. */
function matchesAny(facts: ClauseFacts, requestValue: string): boolean {
  if (facts.exact.has(facts.caseless ? requestValue.toLowerCase() : requestValue)) return true;
  for (const p of facts.patterns) if (p.test(requestValue)) return true;
  return false;
}

function describe(clause: ConditionClause): string {
  return `${clause.operatorAsWritten} on ${clause.key}`;
}

/** Evaluates one condition clause against a request context. */
export function evaluateClause(clause: ConditionClause, context: RequestContext): Tri {
  const key = clause.lowerKey;
  const requestValues = context.values.get(key);
  if (requestValues === undefined && !context.knowsAbsent(key)) return 'unknown';
  const facts = factsOf(clause);
  if (facts.variables) return 'unknown';
  const present = requestValues !== undefined && requestValues.length > 0;
  if (clause.operator === 'Null') {
    if (clause.qualifier || clause.ifExists) return 'unknown';
    const wantsAbsent = clause.values.some((v) => v.toLowerCase() === 'true');
    const wantsPresent = clause.values.some((v) => v.toLowerCase() === 'false');
    return (present ? wantsPresent : wantsAbsent) ? 'yes' : 'no';
  }
  const op = OPERATORS[clause.operator];
  if (!op) return 'unknown';
  if (!present) {
    if (clause.ifExists || clause.qualifier === 'ForAllValues') return 'yes';
    if (clause.qualifier === 'ForAnyValue') return 'no';
    return op.negated ? 'yes' : 'no';
  }
  const all = clause.qualifier === 'ForAllValues';
  for (const rv of requestValues) {
    const matches = matchesAny(facts, rv) !== op.negated;
    if (all && !matches) return 'no';
    if (!all && matches) return 'yes';
  }
  return all ? 'yes' : 'no';
}

function inPrincipalSet(set: PrincipalSet, p: RequestPrincipal): boolean {
  if (set.everyone) return true;
  const named = set.byType[p.type] ?? [];
  return named.some((v) => {
    if (v === '*') return true;
    if (p.type === 'AWS' && p.accountId) return v === p.id || v === p.accountId || v === accountRootArn(p.accountId, partitionOf(p.id));
    return p.type === 'Service' ? v.toLowerCase() === p.id.toLowerCase() : v === p.id;
  });
}

export function principalMatches(st: NormalizedStatement, p: RequestPrincipal): boolean {
  if (st.principal) return inPrincipalSet(st.principal, p);
  if (st.notPrincipal) return !inPrincipalSet(st.notPrincipal, p);
  return false;
}

/** Action lists (`Action`, `NotAction`) with their wildcard entries compiled once. */
const actionGlobs = new WeakMap<readonly string[], readonly (Glob | string)[]>();

function anyActionMatches(patterns: readonly string[], action: string): boolean {
  let compiled = actionGlobs.get(patterns);
  if (!compiled) actionGlobs.set(patterns, (compiled = patterns.map((p) => (hasWildcard(p) ? compileGlob(p, true) : p.toLowerCase()))));
  const lower = action.toLowerCase();
  for (const p of compiled) {
    if (typeof p === 'string' ? p === lower : p.test(action)) return true;
  }
  return false;
}

export function actionMatches(st: NormalizedStatement, action: string): boolean {
  if (st.actions) return anyActionMatches(st.actions, action);
  if (st.notActions) return !anyActionMatches(st.notActions, action);
  return false;
}

function conditionsHold(st: NormalizedStatement, context: RequestContext): Tri {
  let result: Tri = 'yes';
  for (const clause of st.conditions) {
    const r = evaluateClause(clause, context);
    if (r === 'no') return 'no';
    if (r === 'unknown') result = 'unknown';
  }
  return result;
}

function undecidedClauses(st: NormalizedStatement, context: RequestContext): string[] {
  return st.conditions.filter((clause) => evaluateClause(clause, context) === 'unknown').map(describe);
}

/** Whether one statement applies to the request for one action. */
export function statementApplies(st: NormalizedStatement, req: AssumeRequest, action: string, unknown: string[] = []): Tri {
  if (!principalMatches(st, req.principal) || !actionMatches(st, action)) return 'no';
  const result = conditionsHold(st, req.context);
  if (result === 'unknown') unknown.push(...undecidedClauses(st, req.context));
  return result;
}

function or(a: Tri, b: Tri): Tri {
  if (a === 'yes' || b === 'yes') return 'yes';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'no';
}

/**
 * Statements indexed first by the principal they admit, then by the value of an exact `StringEquals`
 * clause each carries, so a request is only tested against statements that can apply to it:
 * evaluation stays linear in the identities even when a trust has a statement per identity.
 */
export interface IndexedStatements {
  readonly all: readonly NormalizedStatement[];
  readonly byPrincipal: Map<RequestPrincipal, StatementIndex>;
}

/** The statements that admit one principal. */
interface StatementIndex {
  readonly keys: readonly (readonly [string, ReadonlyMap<string, readonly NormalizedStatement[]>])[];
  readonly unindexed: readonly NormalizedStatement[];
  /** Per action, the statements of this principal that name it; only for lists above {@link INDEX_THRESHOLD}, where a scan would cost more. */
  readonly byAction: Map<string, ReadonlySet<NormalizedStatement>> | undefined;
  readonly statements: readonly NormalizedStatement[];
}

function selectivity(lowerKey: string): number {
  if (lowerKey.endsWith(':sub') || lowerKey === 'aws:requesttag/kubernetes-service-account') return 3;
  if (lowerKey === 'aws:requesttag/kubernetes-namespace' || lowerKey === 'sts:externalid') return 2;
  return 1;
}

/** The exact clause that best tells statements apart (subjects and names before clusters). */
function indexKeyOf(st: NormalizedStatement): ConditionClause | undefined {
  let best: ConditionClause | undefined;
  for (const c of st.conditions) {
    if (c.operator !== 'StringEquals' || c.qualifier || c.ifExists || c.values.length === 0 || c.lowerKey === 'aws:tagkeys' || variablesIn(c)) continue;
    if (!best || selectivity(c.lowerKey) > selectivity(best.lowerKey)) best = c;
  }
  return best;
}

export function indexStatements(statements: readonly NormalizedStatement[]): IndexedStatements {
  return { all: statements, byPrincipal: new Map() };
}

/** Below this many statements a plain scan is cheaper than an index. */
const INDEX_THRESHOLD = 8;

function buildIndex(statements: readonly NormalizedStatement[]): StatementIndex {
  if (statements.length <= INDEX_THRESHOLD) return { keys: [], unindexed: statements, byAction: undefined, statements };
  const byKey = new Map<string, Map<string, NormalizedStatement[]>>();
  const unindexed: NormalizedStatement[] = [];
  for (const st of statements) {
    const clause = indexKeyOf(st);
    if (!clause) {
      unindexed.push(st);
      continue;
    }
    const byValue = mapIn(byKey, clause.lowerKey);
    for (const value of new Set(factsOf(clause).exact)) push(byValue, value, st);
  }
  return { keys: [...byKey], unindexed, byAction: new Map(), statements };
}

function namingAction(
  byAction: Map<string, ReadonlySet<NormalizedStatement>>,
  statements: readonly NormalizedStatement[],
  action: string,
): ReadonlySet<NormalizedStatement> {
  let set = byAction.get(action);
  if (!set) byAction.set(action, (set = new Set(statements.filter((st) => actionMatches(st, action)))));
  return set;
}

/** The index for one principal object; requests built by `requests.ts` share their principal objects. */
function indexFor(indexed: IndexedStatements, principal: RequestPrincipal): StatementIndex {
  let ix = indexed.byPrincipal.get(principal);
  if (!ix) indexed.byPrincipal.set(principal, (ix = buildIndex(indexed.all.filter((st) => principalMatches(st, principal)))));
  return ix;
}

function candidates(ix: StatementIndex, context: RequestContext): readonly NormalizedStatement[] {
  if (ix.keys.length === 0) return ix.unindexed;
  let out: NormalizedStatement[] | undefined;
  let duplicates = false;
  for (const [key, byValue] of ix.keys) {
    const values = context.values.get(key);
    if (values === undefined) {
      if (context.knowsAbsent(key)) continue;
      out ??= [...ix.unindexed];
      for (const list of byValue.values()) out.push(...list);
      duplicates = true;
      continue;
    }
    if (values.length > 1) duplicates = true;
    for (const v of values) {
      const list = byValue.get(v);
      if (list) (out ??= [...ix.unindexed]).push(...list);
    }
  }
  if (!out) return ix.unindexed;
  return duplicates ? [...new Set(out)] : out;
}

const YES: Decision = Object.freeze({ decision: 'yes', unknownBecause: Object.freeze([]) });
const NO: Decision = Object.freeze({ decision: 'no', unknownBecause: Object.freeze([]) });

/** IAM's evaluation for a trust policy: an explicit Deny wins, then any Allow, else implicit deny. */
export function evaluateTrust(all: readonly NormalizedStatement[] | IndexedStatements, req: AssumeRequest): Decision {
  const ix = 'byPrincipal' in all ? indexFor(all, req.principal) : undefined;
  const statements = ix ? candidates(ix, req.context) : (all as readonly NormalizedStatement[]);
  let overall: Tri = 'yes';
  let undecided: NormalizedStatement[] | undefined;
  for (const action of req.actions) {
    const naming = ix?.byAction ? namingAction(ix.byAction, ix.statements, action) : undefined;
    let denied: Tri = 'no';
    let allowed: Tri = 'no';
    for (const st of statements) {
      const relevant = naming ? naming.has(st) : (ix !== undefined || principalMatches(st, req.principal)) && actionMatches(st, action);
      if (!relevant) continue;
      const applies = conditionsHold(st, req.context);
      if (applies === 'unknown') (undecided ??= []).push(st);
      if (st.effect === 'Deny') denied = or(denied, applies);
      else allowed = or(allowed, applies);
    }
    const result: Tri = denied === 'yes' ? 'no' : denied === 'unknown' ? (allowed === 'no' ? 'no' : 'unknown') : allowed;
    if (result === 'no') return NO;
    if (result === 'unknown') overall = 'unknown';
  }
  if (overall === 'yes') return YES;
  return {
    decision: overall,
    unknownBecause: [...new Set(present(undecided, 'the statements left undecided').flatMap((st) => undecidedClauses(st, req.context)))],
  };
}

/** Both: `no` when either is, else `unknown` when either is, else `yes`. */
export function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'yes';
}
