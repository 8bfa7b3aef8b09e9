import { seed as runSeeds } from '../../api.js';
import type { SeedMode, SeedRunResult } from '../../index.js';
import { apiOptions, argsOf } from '../options.js';
import { duration, print, printJson, table } from '../output.js';
import { terminalProgress } from '../progress.js';
import type { CommandRun } from '../spec.js';

interface SeedArgs { names: string[]; force: boolean; 'dry-run': boolean; mode?: SeedMode; 'batch-size'?: number }

export const seed: CommandRun = async (parsed, signal) => {
  const args = argsOf<SeedArgs>(parsed);
  const progress = args.json ? undefined : terminalProgress();
  const result = await runSeeds({
    ...apiOptions(args, signal),
    ...(args.names.length ? { only: args.names } : {}),
    force: args.force,
    dryRun: args['dry-run'],
    ...(args.mode === undefined ? {} : { mode: args.mode }),
    ...(args['batch-size'] === undefined ? {} : { batchSize: args['batch-size'] }),
    ...(progress ? { progress } : {}),
  });
  if (args.json) printJson(result);
  else print(seedSummary(result));
  return 0;
};

/** The summary table of a seed run, and every failed row with its file:line. Also used for failed runs. */
export function seedSummary(result: SeedRunResult): string {
  const lines = [
    table(
      ['seed', 'table', 'mode', 'status', 'rows', 'written', 'unchanged', 'failed', 'duration'],
      result.seeds.map((s) => [s.name, s.table, s.mode, s.status, s.rows, s.written, s.unchanged, s.failed, duration(s.durationMs)]),
    ),
  ];
  for (const s of result.seeds) {
    if (s.error) lines.push(`\n${s.name}: ${s.error.message}`);
    for (const f of s.failures) {
      const where = f.line === undefined ? `${s.file} row ${f.row}` : `${s.file}:${f.line}`;
      lines.push(`${where}${f.column ? ` column ${f.column}` : ''}: ${f.message}`);
    }
    if (s.failed > s.failures.length) lines.push(`${s.name}: ${s.failed - s.failures.length} more failed rows not listed`);
    for (const row of s.sample ?? []) lines.push(`  would write ${JSON.stringify(row)}`);
  }
  if (result.dryRun) lines.push('Dry run: nothing was written.');
  return lines.join('\n');
}
