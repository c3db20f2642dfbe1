/** The bench's output: Markdown tables (pasted into docs/benchmarks.md); progress on stderr. */

/** One figure, with the target where there is one. */
export interface Row {
  /** The part of the bench, like `join` or `schedule`. */
  part: string;
  /** What was measured, in words. */
  metric: string;
  /** The figure, formatted with its unit. */
  value: string;
  /** The target, in words, when there is one. */
  target?: string;
  /** Whether the target is met; undefined when there is no target. */
  met?: boolean;
  /** Raw numbers and conditions (runs, spread, settings). */
  note?: string;
}

/** A table of its own (side-by-side runs), printed after the figures. */
export interface Table {
  title: string;
  header: string[];
  lines: string[][];
}

export interface PartResult {
  rows: Row[];
  tables?: Table[];
}

export function markdownRows(rows: readonly Row[]): string {
  return markdown({
    title: '',
    header: ['part', 'metric', 'value', 'target', 'met', 'notes'],
    lines: rows.map((row) => [
      row.part,
      row.metric,
      row.value,
      row.target ?? '',
      row.met === undefined ? '' : row.met ? 'yes' : '**no**',
      row.note ?? '',
    ]),
  });
}

export function markdown(table: Table): string {
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');
  const lines = [
    ...(table.title ? [`### ${table.title}`, ''] : []),
    `| ${table.header.map(escapeCell).join(' | ')} |`,
    `| ${table.header.map(() => '---').join(' | ')} |`,
    ...table.lines.map((cells) => `| ${cells.map(escapeCell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Progress goes to stderr so that stdout is only the tables. */
export function say(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
