/**
 * The Handlebars setup of the code-writing emitters (Terraform, bash): templates are the package's
 * `templates/<folder>/`, precompiled strict with `noEscape` (HTML escaping means nothing to HCL or
 * bash), so every interpolation goes through an escaping helper.
 * @module
 */
import { createHandlebarsRuntime, type HandlebarsRuntime, type TemplateDelegate } from '../handlebars-runtime.js';
import { commentText, hclString, shellQuote } from '../names.js';
import { PRECOMPILED } from '../precompiled-templates.js';

/** The helpers a template may interpolate with; a bare `{{value}}` is refused by the tests. */
export const ESCAPING_HELPERS = ['sq', 'hcl', 'comment', 'ident'] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function createEnvironment(): HandlebarsRuntime {
  const hb = createHandlebarsRuntime();
  /** One shell word: single-quoted, `'` as `'\''`. */
  hb.registerHelper('sq', (value: unknown) => shellQuote(String(value)));
  /** An HCL quoted string. */
  hb.registerHelper('hcl', (value: unknown) => hclString(String(value)));
  /** Text for a one-line `#` comment. */
  hb.registerHelper('comment', (value: unknown) => commentText(String(value)));
  /** An identifier the emitter computed; anything else is a bug, so it throws. */
  hb.registerHelper('ident', (value: unknown) => {
    const s = String(value);
    if (!IDENTIFIER.test(s)) throw new Error(`internal: ${JSON.stringify(s)} is not an identifier`);
    return s;
  });
  return hb;
}

const env = createEnvironment();
const compiled = new Map<string, TemplateDelegate>();
const partialsLoaded = new Set<string>();

function loadPartials(folder: string): void {
  if (partialsLoaded.has(folder)) return;
  partialsLoaded.add(folder);
  const prefix = `${folder}/_`;
  for (const [name, spec] of Object.entries(PRECOMPILED)) {
    if (name.startsWith(prefix) && !name.slice(prefix.length).includes('/')) env.registerPartial(name.slice(prefix.length), env.template(spec));
  }
}

/** Renders `templates/<folder>/<name>.hbs` (partials: `_<name>.hbs` in the same folder). */
export function renderTemplate(folder: string, name: string, context: object): string {
  loadPartials(folder);
  const key = `${folder}/${name}`;
  let template = compiled.get(key);
  if (!template) {
    const spec = PRECOMPILED[key];
    if (!spec) throw new Error(`internal: no template ${JSON.stringify(key)}`);
    template = env.template(spec);
    compiled.set(key, template);
  }
  return template(context);
}
