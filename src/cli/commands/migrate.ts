import { ExitCode } from '../../errors.js';
import { migrate, rollback } from '../../api.js';
import type { PlanOptions, RunResult } from '../../index.js';
import { checkReport } from './check.js';
import { apiOptions, argsOf } from '../options.js';
import { duration, print, printJson } from '../output.js';
import type { CommandRun } from '../spec.js';

/** The flags that choose what `up` (and `plan`) runs. */
export interface SelectionArgs { to?: string; step?: number; 'allow-out-of-order': boolean; 'force-checksum': boolean }
interface UpArgs extends SelectionArgs { 'dry-run': boolean; 'in-flight'?: 'done' | 'rerun' }
interface DownArgs { to?: string; step?: number; 'dry-run': boolean; 'in-flight'?: 'done' | 'rerun'; 'include-baseline': boolean }

export const up: CommandRun = async (parsed, signal) => {
  const args = argsOf<UpArgs>(parsed);
  const result = await migrate({
    ...apiOptions(args, signal),
    ...selection(args),
    ...(args['in-flight'] === undefined ? {} : { inFlight: args['in-flight'] }),
    dryRun: args['dry-run'],
  });
  report(result, args.json);
  // A dry run lists the check's errors instead of stopping on them; its exit status still says so.
  return result.check && result.check.errors > 0 ? ExitCode.usage : ExitCode.ok;
};

/** The API options of the selection flags. */
export function selection(args: SelectionArgs): PlanOptions {
  return {
    ...(args.to === undefined ? {} : { to: args.to }),
    ...(args.step === undefined ? {} : { step: args.step }),
    allowOutOfOrder: args['allow-out-of-order'],
    forceChecksum: args['force-checksum'],
  };
}

export const down: CommandRun = async (parsed, signal) => {
  const args = argsOf<DownArgs>(parsed);
  const result = await rollback({
    ...apiOptions(args, signal),
    ...(args.to === undefined ? {} : { to: args.to === '0' ? 0 : args.to }),
    ...(args.step === undefined ? {} : { step: args.step }),
    ...(args['in-flight'] === undefined ? {} : { inFlight: args['in-flight'] }),
    includeBaseline: args['include-baseline'],
    dryRun: args['dry-run'],
  });
  report(result, args.json);
  return 0;
};

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
  if (result.dryRun && result.check) print(checkReport(result.check));
  if (result.dryRun) print('Dry run: nothing was changed.');
}
