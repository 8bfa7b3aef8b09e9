import { UsageError } from '../../errors.js';
import { baseline as baselineApi } from '../../api.js';
import { apiOptions, argsOf } from '../options.js';
import { print, printJson } from '../output.js';
import type { CommandRun } from '../spec.js';

/** `cratedb-migrate baseline --to <version|name>`: records migrations as applied without running them. */
export const baseline: CommandRun = async (parsed, signal) => {
  const args = argsOf<{ to?: string }>(parsed);
  if (args.to === undefined) throw new UsageError("'baseline' needs --to <version|name>: the last migration the cluster already has.");
  const result = await baselineApi({ ...apiOptions(args, signal), to: args.to });
  if (args.json) printJson(result);
  else if (result.baselined.length === 0) print(`Nothing to record: every migration up to ${args.to} is in the history already.`);
  else print([...result.baselined.map((b) => `baseline ${b.name}  (${b.file}, not run)`), `Recorded ${result.baselined.length} migration${result.baselined.length === 1 ? '' : 's'} as applied without running them.`].join('\n'));
  return 0;
};
