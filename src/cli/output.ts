/** Human output for the CLI: aligned text tables on stdout; `--json` prints the result object instead. */

export type Cell = string | number | boolean | null | undefined;

/** An aligned table with a header row; empty cells print as `-`. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** Milliseconds as `12 ms` or `1.4 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** An epoch-millisecond or ISO timestamp as an ISO string without milliseconds. */
export function timestamp(value: number | string | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes to stdout: command output only, logs go to stderr. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** `--json` output: the result object as it is, so scripts read the same fields the API returns. */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}
