import { SEED_MODES, seed, type SeedMode, type SeedRunResult } from '../../index.js';
import { defineCommand } from '../command.js';
import { apiOptions } from '../options.js';
import { duration, print, printJson, table } from '../output.js';
import { terminalProgress } from '../progress.js';

export const seedCommand = defineCommand({
  command: 'seed [names..]',
  describe: 'Run the seeds in seeds/ and seeds/<env>/ (or only the named ones)',
  builder: (y) =>
    y
      .positional('names', { type: 'string', array: true, describe: 'Seed names (file names without extension)' })
      .option('force', { type: 'boolean', default: false, describe: 'Run seeds that are unchanged since their last run' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Read and check every row; write nothing' })
      .option('mode', { type: 'string', choices: SEED_MODES, describe: "Override every seed's mode" })
      .option('batch-size', { type: 'number', describe: 'Rows per bulk request' }),
  async run(args, signal) {
    const progress = args.json ? undefined : terminalProgress();
    const result = await seed({
      ...apiOptions(args, signal),
      ...(args.names?.length ? { only: args.names } : {}),
      force: args.force,
      dryRun: args['dry-run'],
      ...(args.mode === undefined ? {} : { mode: args.mode as SeedMode }),
      ...(args['batch-size'] === undefined ? {} : { batchSize: args['batch-size'] }),
      ...(progress ? { progress } : {}),
    });
    if (args.json) printJson(result);
    else print(seedSummary(result));
    return 0;
  },
});

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
