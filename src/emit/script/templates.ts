/**
 * The Handlebars setup of the code-writing emitters (Terraform, bash): templates come from the
 * package's `templates/` directory; every interpolation goes through an escaping helper, since
 * the environment is compiled with `noEscape` (HTML escaping means nothing to HCL or bash).
 * @module
 */
import { readFileSync, readdirSync } from 'node:fs';
import Handlebars from 'handlebars';
import { commentText, hclString, shellQuote } from '../names.js';

/** `dist/emit/script/` (or `src/emit/script/` under the tests) → the package's `templates/`. */
export const TEMPLATES_DIR = new URL('../../../templates/', import.meta.url);

/** The helpers a template may interpolate with; a bare `{{value}}` is refused by the tests. */
export const ESCAPING_HELPERS = ['sq', 'hcl', 'comment', 'ident'] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function createEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
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
const compiled = new Map<string, Handlebars.TemplateDelegate>();
const partialsLoaded = new Set<string>();

function loadPartials(folder: string): void {
  if (partialsLoaded.has(folder)) return;
  partialsLoaded.add(folder);
  const dir = new URL(`${folder}/`, TEMPLATES_DIR);
  for (const file of readdirSync(dir).sort()) {
    if (!file.startsWith('_') || !file.endsWith('.hbs')) continue;
    env.registerPartial(file.slice(1, -'.hbs'.length), readFileSync(new URL(file, dir), 'utf8'));
  }
}

/** Renders `templates/<folder>/<name>.hbs` (partials: `_<name>.hbs` in the same folder). */
export function renderTemplate(folder: string, name: string, context: object): string {
  loadPartials(folder);
  const key = `${folder}/${name}`;
  let template = compiled.get(key);
  if (!template) {
    template = env.compile(readFileSync(new URL(`${name}.hbs`, new URL(`${folder}/`, TEMPLATES_DIR)), 'utf8'), { noEscape: true, strict: true });
    compiled.set(key, template);
  }
  return template(context);
}
