import { migrate, rollback, type RunResult } from '../../index.js';
import { defineCommand } from '../command.js';
import { apiOptions } from '../options.js';
import { duration, print, printJson } from '../output.js';

export const up = defineCommand({
  command: 'up',
  describe: 'Apply pending migrations',
  builder: (y) =>
    y
      .option('to', { type: 'string', describe: 'Stop after this migration (name or version)' })
      .option('step', { type: 'number', describe: 'Apply at most this many migrations' })
      .option('allow-out-of-order', { type: 'boolean', default: false, describe: 'Run pending migrations older than the newest applied one' })
      .option('force-checksum', { type: 'boolean', default: false, describe: 'Run although applied files changed (see validate/repair)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the statements that would run; change nothing' })
      .conflicts('to', 'step'),
  async run(args, signal) {
    const result = await migrate({
      ...apiOptions(args, signal),
      ...(args.to === undefined ? {} : { to: args.to }),
      ...(args.step === undefined ? {} : { step: args.step }),
      allowOutOfOrder: args['allow-out-of-order'],
      forceChecksum: args['force-checksum'],
      dryRun: args['dry-run'],
    });
    report(result, args.json);
    return 0;
  },
});

export const down = defineCommand({
  command: 'down',
  describe: 'Revert applied migrations, newest applied first (one by default)',
  builder: (y) =>
    y
      .option('to', { type: 'string', describe: 'Revert down to and including this migration (name or version); 0 reverts all' })
      .option('step', { type: 'number', describe: 'Revert this many migrations' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the statements that would run; change nothing' })
      .conflicts('to', 'step'),
  async run(args, signal) {
    const result = await rollback({
      ...apiOptions(args, signal),
      ...(args.to === undefined ? {} : { to: args.to === '0' ? 0 : args.to }),
      ...(args.step === undefined ? {} : { step: args.step }),
      dryRun: args['dry-run'],
    });
    report(result, args.json);
    return 0;
  },
});

function report(result: RunResult, json: boolean): void {
  if (json) return printJson(result);
  if (result.steps.length === 0) {
    print(result.direction === 'up' ? 'Nothing to migrate: the database is up to date.' : 'Nothing to revert.');
    return;
  }
  for (const step of result.steps) {
    if (step.status === 'planned') {
      print(`-- ${step.direction} ${step.name} (${step.file})`);
      if (step.statements === null || step.statements === undefined) print('-- code migration: its function decides what runs');
      for (const stmt of step.statements ?? []) print(`-- ${stmt.file}:${stmt.line}\n${stmt.sql};`);
      continue;
    }
    const counts = step.statementsTotal === null ? `${step.statementsRun} statements` : `${step.statementsRun}/${step.statementsTotal} statements`;
    print(`${step.status.padEnd(8)} ${step.name}  (${counts}, ${duration(step.durationMs)})`);
  }
  if (result.dryRun) print('Dry run: nothing was changed.');
}
