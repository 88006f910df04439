/**
 * The one layout rule of `terraform fmt` that templates cannot follow on their own: the `=` of
 * consecutive one-line attributes lines up, one space after the longest name. Which attributes
 * appear together depends on the plan (a statement with `not_actions`, a map of role ARNs), so
 * the emitter lines them up after rendering, the way HashiCorp's formatter (hclwrite) does.
 * @module
 */

interface Assignment {
  /** The line up to the end of the attribute name or key, indentation included. */
  readonly lead: string;
  /** From the `=` to the end of the line. */
  readonly rest: string;
}

const OPENING = new Set(['{', '[', '(']);
const CLOSING = new Set(['}', ']', ')']);

/** The end of the quoted string starting at `start` (the index after its closing quote), or -1. */
function stringEnd(line: string, start: number): number {
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i + 1;
  }
  return -1;
}

/** Brackets opened minus brackets closed in `text`, strings and a trailing `#` comment skipped. */
function netBrackets(text: string): number {
  let net = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return 1;
      i = end - 1;
    } else if (c === '#') break;
    else if (OPENING.has(c)) net++;
    else if (CLOSING.has(c)) net--;
  }
  return net;
}

/**
 * The line as an assignment hclwrite aligns: an identifier or a quoted key, then `=`, then a whole
 * expression (no bracket left open, which would start a multi-line value); otherwise null.
 */
function assignment(line: string): Assignment | null {
  const indent = line.search(/[^ ]|$/);
  let end: number;
  if (line[indent] === '"') end = stringEnd(line, indent);
  else end = indent + (/^[A-Za-z_][A-Za-z0-9_-]*/.exec(line.slice(indent))?.[0].length ?? 0);
  if (end <= indent) return null;
  const after = /^ *=(?![=>])/.exec(line.slice(end));
  if (!after) return null;
  const rest = line.slice(end).trimStart();
  if (netBrackets(rest.slice(1)) !== 0) return null;
  return { lead: line.slice(0, end), rest };
}

/** `text` with the `=` of every run of consecutive one-line assignments lined up as `terraform fmt` does. */
export function alignAssignments(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let run: Assignment[] = [];
  const flush = () => {
    const width = Math.max(...run.map((a) => a.lead.length));
    for (const a of run) out.push(`${a.lead.padEnd(width)} ${a.rest}`);
    run = [];
  };
  for (const line of lines) {
    const a = assignment(line);
    if (a) {
      run.push(a);
      continue;
    }
    if (run.length) flush();
    out.push(line);
  }
  if (run.length) flush();
  return out.join('\n');
}
