import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './stats.js';

/** One line of the results: a figure and its ratio to the baseline measured in the same run. */
export interface Row {
  group: string;
  name: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  spreadPct: number;
  runs: number;
  /** Name of the row this one is divided by; the baseline row itself has ratio 1. */
  baseline?: string;
  ratio?: number;
  /** e.g. `ratio >= 0.9`, `median <= 150`. */
  target?: string;
  met?: boolean;
  note?: string;
}

export interface Target {
  /** What is compared: the ratio or the median. */
  of: 'ratio' | 'median';
  op: '<=' | '>=';
  value: number;
}

/** Collects the rows of one group; `baseline` rows first, then the rows measured against them. */
export class Group {
  readonly rows: Row[] = [];
  constructor(readonly name: string) {}

  add(name: string, unit: string, fig: Figure, extra: { baseline?: Row; target?: Target; note?: string } = {}): Row {
    const ratio = extra.baseline ? fig.median / extra.baseline.median : undefined;
    const row: Row = {
      group: this.name,
      name,
      unit,
      median: fig.median,
      min: fig.min,
      max: fig.max,
      spreadPct: fig.spreadPct,
      runs: fig.values.length,
      ...(extra.baseline ? { baseline: extra.baseline.name, ratio } : {}),
      ...(extra.note ? { note: extra.note } : {}),
    };
    if (extra.target) {
      const t = extra.target;
      const actual = t.of === 'ratio' ? ratio : fig.median;
      row.target = `${t.of} ${t.op} ${t.value}`;
      row.met = actual !== undefined && (t.op === '<=' ? actual <= t.value : actual >= t.value);
    }
    this.rows.push(row);
    return row;
  }
}

function number(n: number): string {
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** The table `npm run bench` prints (also pasted into docs/performance.md). */
export function formatTable(rows: readonly Row[]): string {
  const header = ['group', 'figure', 'median', 'unit', 'spread', 'runs', 'ratio', 'to baseline', 'target'];
  const lines = rows.map((r) => [
    r.group,
    r.name,
    number(r.median),
    r.unit,
    `±${Math.round(r.spreadPct / 2)}%`,
    String(r.runs),
    r.ratio === undefined ? '' : `${number(r.ratio)}x`,
    r.baseline ?? '(baseline)',
    r.target === undefined ? '' : `${r.target} ${r.met ? 'met' : 'MISSED'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'results', 'latest.json');

/** Writes every row with where and when it was measured. */
export async function writeResults(rows: readonly Row[], server: string, groups: readonly string[]): Promise<string> {
  await mkdir(path.dirname(RESULTS_FILE), { recursive: true });
  const doc = {
    date: new Date().toISOString(),
    server,
    groups,
    machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, loadavg: os.loadavg() },
    rows,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(doc, null, 2)}\n`);
  return RESULTS_FILE;
}
