import { createHash } from 'node:crypto';
import { createHandlebarsRuntime, type HandlebarsRuntime, type HelperOptions, type TemplateDelegate } from './handlebars-runtime.js';
import type { Step } from '../plan/model.js';
import type { RoleMapping } from '../report/model.js';
import { visible } from '../escape.js';
import { mappingNotes, mappingPolicies, mappingWorkloads, stepSubject } from './markdown-shared.js';
import { commentText, hclString, shellQuote } from './names.js';
import { PRECOMPILED } from './precompiled-templates.js';

/** A table collapses into `<details>` above this many rows. */
export const COLLAPSE_ABOVE = 10;

/**
 * Escapes a value for Markdown text and table cells: `\`, `|`, backtick, `*`, `[`, `]`, `<` and `>` are
 * backslash-escaped, line breaks become `<br>`, and other controls, bidi and invisible characters visible
 * escapes ({@link visible}), so no value can break a table row, inject markup or hide text.
 */
export function md(value: unknown): string {
  if (value === null || value === undefined) return '';
  return visible(
    asString(value)
      .replace(/[\\`|*[\]<>]/g, (c) => `\\${c}`)
      .replace(/\r\n|\r|\n/g, '<br>'),
  );
}

/** Inline code when the value is safe inside a table's code span; escaped text otherwise. */
export function code(value: unknown): string {
  const s = textOf(value);
  if (s === '' || /[\\`|\r\n]/.test(s) || visible(s) !== s) return md(s);
  return `\`${s}\``;
}

/** A Mermaid node id: `[A-Za-z0-9_]` only, unique per original value. */
export function mermaidId(prefix: string, value: unknown): string {
  const s = textOf(value);
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 8);
  return `${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${s.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${hash}`;
}

/**
 * A quoted Mermaid label: quotes, angle brackets, backticks and `#` become entity codes, line breaks
 * spaces, other controls, bidi and invisible characters visible escapes.
 */
export function mermaidLabel(value: unknown): string {
  const s = textOf(value)
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\r\n|\r|\n/g, ' ');
  return `"${visible(s)}"`;
}

/**
 * A fenced code block whose fence is longer than any backtick run in the content; line breaks kept,
 * other controls, bidi and invisible characters visible escapes (`\u202e` style, so that JSON stays JSON
 * of the same value).
 */
export function fenced(lang: string, text: string): string {
  const content = visible(text, { keep: '\n', json: true });
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${content.replace(/\n$/, '')}\n${fence}`;
}

/** What the `collapse` helper puts before a table it collapses; for tables rendered in pieces. */
export function collapseOpening(summary: string): string {
  return `<details><summary>${md(summary)}</summary>\n\n`;
}

/** What the `collapse` helper puts after a table it collapses. */
export const COLLAPSE_CLOSING = '\n\n</details>\n';

function withoutTrailingNewlines(s: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === '\n') end--;
  return s.slice(0, end);
}

/** What `String(value)` returns, for the values templates are given (primitives, arrays of them, plain objects). */
function asString(value: unknown): string {
  if (Array.isArray(value)) return value.map((v: unknown) => (v === null || v === undefined ? '' : asString(v))).join(',');
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  if (typeof value === 'function') return Object.prototype.toString.call(value);
  return String(value);
}

/** A value as template text: nothing for null and undefined, else what `String` makes of it. */
function textOf(value: unknown): string {
  return value === null || value === undefined ? '' : asString(value);
}

/** The helpers a Terraform or bash template may interpolate with; a bare `{{value}}` is refused by the tests. */
export const ESCAPING_HELPERS = ['sq', 'hcl', 'comment', 'ident'] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function registerMarkdownHelpers(hb: HandlebarsRuntime): void {
  hb.registerHelper('md', (v: unknown) => md(v));
  hb.registerHelper('code', (v: unknown) => code(v));
  hb.registerHelper('mid', (prefix: string, v: unknown) => mermaidId(prefix, v));
  hb.registerHelper('mlabel', (v: unknown) => mermaidLabel(v));
  hb.registerHelper('json', (lang: unknown, v: unknown) => fenced(typeof lang === 'string' ? lang : 'json', JSON.stringify(v, null, 2)));
  hb.registerHelper('fenced', (lang: string, v: unknown) => fenced(lang, textOf(v)));
  /** Trusted Markdown written by irsa2pi itself (rule explanations): line breaks kept as `<br>`, nothing else touched. */
  hb.registerHelper('prose', (v: unknown) => textOf(v).replace(/\r\n|\r|\n/g, '<br>'));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('gt', (a: number, b: number) => a > b);
  hb.registerHelper('len', (v: unknown) => (Array.isArray(v) ? v.length : 0));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('plural', (n: number, one: string, many: string) => `${String(n)} ${n === 1 ? one : many}`);
  /** `{{stepNumber @index ../first}}`: a step's number in its table, `first` steps rendered before its piece. */
  hb.registerHelper('stepNumber', (index: number, first: unknown) => (typeof first === 'number' ? first : 0) + index + 1);
  hb.registerHelper('stepSubject', (step: Step) => stepSubject(step));
  hb.registerHelper('mappingWorkloads', (m: RoleMapping) => mappingWorkloads(m));
  hb.registerHelper('mappingPolicies', (m: RoleMapping) => mappingPolicies(m));
  hb.registerHelper('mappingNotes', (m: RoleMapping) => mappingNotes(m));
  /** `{{#collapse count "summary"}}table{{/collapse}}`: wraps in `<details>` above COLLAPSE_ABOVE rows. */
  hb.registerHelper('collapse', function (this: unknown, count: number, summary: string, options: HelperOptions) {
    const body = options.fn(this);
    return count > COLLAPSE_ABOVE ? `${collapseOpening(summary)}${withoutTrailingNewlines(body)}${COLLAPSE_CLOSING}` : body;
  });
}

function registerCodeHelpers(hb: HandlebarsRuntime): void {
  /** One shell word: single-quoted, `'` as `'\\''`. */
  hb.registerHelper('sq', (value: unknown) => shellQuote(asString(value)));
  /** An HCL quoted string. */
  hb.registerHelper('hcl', (value: unknown) => hclString(asString(value)));
  /** Text for a one-line `#` comment. */
  hb.registerHelper('comment', (value: unknown) => commentText(asString(value)));
  /** An identifier the emitter computed; anything else is a bug, so it throws. */
  hb.registerHelper('ident', (value: unknown) => {
    const s = asString(value);
    if (!IDENTIFIER.test(s)) throw new Error(`internal: ${JSON.stringify(s)} is not an identifier`);
    return s;
  });
}

/** The name a template is included by as a partial (`partials/<name>`, or `<folder>/_<name>`), or undefined for a document. */
function partialName(template: string): string | undefined {
  if (template.startsWith('partials/')) return template.slice('partials/'.length);
  return /^[^/]+\/_([^/]+)$/.exec(template)?.[1];
}

/**
 * The one Handlebars environment of every emitter: the Markdown and code helpers registered once, every
 * partial, and every template of templates/ made ready to render (precompiled, so no compiler is loaded).
 */
function createEngine(): ReadonlyMap<string, TemplateDelegate> {
  const hb = createHandlebarsRuntime();
  registerMarkdownHelpers(hb);
  registerCodeHelpers(hb);
  const partials = new Set<string>();
  const templates = new Map<string, TemplateDelegate>();
  for (const [name, spec] of Object.entries(PRECOMPILED)) {
    const template = hb.template(spec);
    templates.set(name, template);
    const partial = partialName(name);
    if (partial === undefined) continue;
    if (partials.has(partial)) throw new Error(`internal: two partials named ${JSON.stringify(partial)}`);
    partials.add(partial);
    hb.registerPartial(partial, template);
  }
  return templates;
}

const TEMPLATES = createEngine();

function renderRaw(name: string, data: unknown): string {
  const template = TEMPLATES.get(name);
  if (!template) throw new Error(`internal: no template ${JSON.stringify(name)}`);
  return template(data);
}

/** Renders the Terraform or bash template `templates/<folder>/<name>.hbs` as written (partials: `_<name>.hbs` in the same folder). */
export function renderTemplate(folder: string, name: string, context: object): string {
  return renderRaw(`${folder}/${name}`, context);
}

/**
 * Pieces of a document joined, with every run of blank lines cut to one and trailing white space
 * replaced by one line break; each piece is yielded as soon as it is tidy, white space at its end held
 * back until more text follows it.
 */
export function* tidy(pieces: Iterable<string>): Generator<string> {
  let pending = '';
  for (const piece of pieces) {
    const text = (pending + piece).replace(/\n{3,}/g, '\n\n');
    const end = text.trimEnd().length;
    if (end > 0) yield text.slice(0, end);
    pending = text.slice(end);
  }
  yield '\n';
}

/** Renders `templates/<name>.hbs`, tidied; values are not HTML-escaped, templates escape explicitly with `md`. */
export function render(name: string, data: unknown): string {
  return [...tidy([renderRaw(name, data)])].join('');
}

/**
 * Renders each `[template, data]` in turn as one tidy document, in pieces; a template may be a partial
 * (`partials/<name>`), and a plain string is taken as written.
 */
export function renderPieces(parts: Iterable<readonly [string, unknown] | string>): Generator<string> {
  return tidy(
    (function* () {
      for (const part of parts) yield typeof part === 'string' ? part : renderRaw(part[0], part[1]);
    })(),
  );
}
