/**
 * The text `--help` shows after the options of each command: two examples and the exit codes.
 * @module
 */

const EXIT_CODES = {
  ok: '  0  done (planned, reported or collected)',
  findings: '  1  a finding reached --fail-on',
  input: '  2  bad input, output or usage: one line on stderr naming the file, path or option',
  internal: '  3  internal error (a bug): run again with --debug for the stack trace',
  partial: '  4  live collection was partial: some cluster or region could not be read (scan gaps)',
} as const;

type ExitCode = keyof typeof EXIT_CODES;

function helpText(examples: readonly (readonly [string, string])[], codes: readonly ExitCode[]): string {
  return [
    '',
    'Examples:',
    ...examples.flatMap(([what, command]) => [`  # ${what}`, `  $ ${command}`]),
    '',
    'Exit codes:',
    ...codes.map((c) => EXIT_CODES[c]),
    '',
  ].join('\n');
}

/** The text after the options of `irsa2pi --help`, `irsa2pi plan --help`, and so on. */
export const HELP_AFTER = {
  program: helpText(
    [
      ['plan the migration from an evidence bundle, as a table', 'irsa2pi plan --evidence ./bundle'],
      [
        'collect a bundle from the live accounts and clusters, then write the audit report',
        'irsa2pi collect --region eu-west-1 --out ./bundle && irsa2pi report --evidence ./bundle --out report.md',
      ],
    ],
    ['ok', 'findings', 'input', 'internal', 'partial'],
  ),
  plan: helpText(
    [
      ['the plan of one cluster of a bundle, every value whole', 'irsa2pi plan --evidence ./bundle --cluster prod-eu --wide'],
      ['bash scripts that migrate and roll back, from a live scan of one region', 'irsa2pi plan --region eu-west-1 --format script --out ./migration'],
    ],
    ['ok', 'findings', 'input', 'internal', 'partial'],
  ),
  report: helpText(
    [
      ["the auditor's report of a bundle as Markdown", 'irsa2pi report --evidence ./bundle --out report.md'],
      ['fail a CI job on any high finding, keeping the findings as CSV', 'irsa2pi report --evidence ./bundle --format csv --out findings.csv --fail-on high'],
    ],
    ['ok', 'findings', 'input', 'internal', 'partial'],
  ),
  collect: helpText(
    [
      ['every cluster of two regions, with the default credentials', 'irsa2pi collect --region eu-west-1 --region us-east-1 --out ./bundle'],
      [
        'one cluster through a named kubeconfig context and AWS profile',
        'irsa2pi collect --profile audit --region eu-west-1 --cluster prod-eu --context prod-eu=admin@prod-eu --out ./bundle',
      ],
    ],
    ['ok', 'input', 'internal', 'partial'],
  ),
} as const;
