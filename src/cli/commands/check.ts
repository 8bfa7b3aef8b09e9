import { CheckError, ExitCode } from '../../errors.js';
import { check as checkApi } from '../../api.js';
import type { CheckResult, Finding } from '../../index.js';
import { apiOptions, argsOf } from '../options.js';
import { print, printJson } from '../output.js';
import type { CommandRun } from '../spec.js';

/** `cratedb-migrate check`: the findings of the check of pending migrations; exit 2 when one is an error. */
export const check: CommandRun = async (parsed, signal) => {
  const args = argsOf<object>(parsed);
  let result: CheckResult;
  let exitCode: number = ExitCode.ok;
  try {
    result = await checkApi(apiOptions(args, signal));
  } catch (err) {
    if (!(err instanceof CheckError)) throw err;
    result = err.result as CheckResult;
    exitCode = err.exitCode;
  }
  if (args.json) printJson(result);
  else print(checkReport(result));
  return exitCode;
};

/** The findings as text, one block per finding, then a summary line. */
export function checkReport(result: CheckResult): string {
  const blocks = result.findings.map((f: Finding) => `${f.file}:${f.line}: ${f.severity} ${f.code}: ${f.message}\n  fix: ${f.fix}`);
  const notChecked = result.notChecked.map((n) => `${n}: a code migration, not checked (its statements are known only when it runs)`);
  const summary =
    result.checked.length + result.notChecked.length === 0
      ? 'No pending migrations.'
      : `${result.checked.length} pending SQL migration${result.checked.length === 1 ? '' : 's'} checked: ${result.errors} error${result.errors === 1 ? '' : 's'}, ${result.warnings} warning${result.warnings === 1 ? '' : 's'}.`;
  return [...blocks, ...notChecked, summary].join('\n');
}
