import { marked, type Token, type Tokens } from 'marked';

/** Cells in one raw GFM table line: splits on `|` not escaped by an odd run of backslashes. */
export function rawCellCount(line: string): number {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  let cells = 1;
  let backslashes = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      backslashes++;
      continue;
    }
    // An unescaped pipe separates cells, except the closing one at the end of the line.
    if (s[i] === '|' && backslashes % 2 === 0 && i < s.length - 1) cells++;
    backslashes = 0;
  }
  return cells;
}

function walk(tokens: readonly Token[], visit: (t: Token) => void): void {
  for (const t of tokens) {
    visit(t);
    const nested = (t as { tokens?: Token[] }).tokens;
    if (nested) walk(nested, visit);
    const items = (t as { items?: Token[] }).items;
    if (items) walk(items, visit);
  }
}

/** Every table of a Markdown document, as `marked.lexer` sees it. */
export function tablesOf(markdown: string): Tokens.Table[] {
  const out: Tokens.Table[] = [];
  walk(marked.lexer(markdown), (t) => {
    if (t.type === 'table') out.push(t as Tokens.Table);
  });
  return out;
}

export function codeBlocksOf(markdown: string): Tokens.Code[] {
  const out: Tokens.Code[] = [];
  walk(marked.lexer(markdown), (t) => {
    if (t.type === 'code') out.push(t as Tokens.Code);
  });
  return out;
}

/**
 * Tables whose raw lines do not all have the header's column count (marked itself pads or cuts
 * rows, so the raw text is what shows a value that broke out of its cell).
 */
export function tableProblems(markdown: string): string[] {
  const problems: string[] = [];
  for (const table of tablesOf(markdown)) {
    const lines = table.raw.replace(/\n+$/, '').split('\n');
    const width = table.header.length;
    lines.forEach((line, i) => {
      const n = rawCellCount(line);
      if (n !== width) problems.push(`line ${i + 1} of table "${lines[0]}" has ${n} cells, header ${width}: ${line}`);
    });
    if (lines.length !== table.rows.length + 2) problems.push(`table "${lines[0]}": ${lines.length} lines for ${table.rows.length} rows`);
  }
  return problems;
}
