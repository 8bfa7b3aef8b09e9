import { qualifiedName } from '../../client/identifiers.js';
import { ExitCode } from '../../errors.js';
import { plan as planApi } from '../../api.js';
import type { PlanResult } from '../../index.js';
import { apiOptions, argsOf } from '../options.js';
import { print, printJson } from '../output.js';
import type { CommandRun } from '../spec.js';
import { checkReport } from './check.js';
import { selection, type SelectionArgs } from './migrate.js';

/** `cratedb-migrate plan [--json]`: what `up` would run; exit 2 when the check finds an error, as `up` would. */
export const plan: CommandRun = async (parsed, signal) => {
  const args = argsOf<SelectionArgs>(parsed);
  const result = await planApi({ ...apiOptions(args, signal), ...selection(args) });
  if (args.json) printJson(result);
  else print(planReport(result));
  return result.check && result.check.errors > 0 ? ExitCode.usage : ExitCode.ok;
};

/** Per migration: its statements, its rebuilds, its findings; then the check's summary. */
function planReport(result: PlanResult): string {
  if (result.migrations.length === 0) return 'Nothing to migrate: the database is up to date.';
  const blocks = result.migrations.map((m) => {
    const lines = [`-- up ${m.name} (${m.file})`];
    if (m.statements === null) lines.push('-- code migration: its function decides what runs');
    for (const s of m.statements ?? []) lines.push(`-- ${s.file}:${s.line}\n${s.sql};`);
    for (const r of m.rebuilds) {
      lines.push(`-- rebuild of ${qualifiedName(r.table)}: copies ${r.rows} rows, then ${r.backup ? `keeps the old table as ${qualifiedName(r.backup)}` : 'drops the old table'}`);
      lines.push(...r.copies.map((c) => `--   ${c.column} <- ${c.from}`));
      lines.push(...r.statements.map((s) => `${s};`));
    }
    for (const u of m.unplannedRebuilds) lines.push(`-- ${u.file}:${u.line}: rebuild of ${u.table} not planned: ${u.reason}`);
    return lines.join('\n');
  });
  const check = result.check && { ...result.check, findings: result.migrations.flatMap((m) => m.findings) };
  return [...blocks, ...(check ? [checkReport(check)] : [])].join('\n\n');
}
