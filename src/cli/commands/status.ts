import { ExitCode } from '../../errors.js';
import { repair as repairApi, status as statusApi, validate as validateApi } from '../../api.js';
import { apiOptions, argsOf } from '../options.js';
import { duration, print, printJson, table, timestamp } from '../output.js';
import type { CommandRun } from '../spec.js';

/** States that mean the database and the files disagree, or a migration did not finish: exit 3. A
 * migration `running` now (its runner holds the lock) is shown, and is not a problem. */
const ATTENTION = new Set(['changed', 'missing', 'failed', 'interrupted']);

export const status: CommandRun = async (parsed, signal) => {
  const args = argsOf<object>(parsed);
  const report = await statusApi(apiOptions(args, signal));
  const attention = report.migrations.filter((m) => ATTENTION.has(m.state));
  if (args.json) printJson(report);
  else {
    print(
      table(
        ['version', 'name', 'state', 'applied at', 'duration', 'by', 'statements', 'checksum'],
        report.migrations.map((m) => [
          m.version,
          m.name,
          m.state,
          timestamp(m.appliedAt),
          duration(m.durationMs),
          m.appliedBy,
          m.statementsRun === null ? '' : `${m.statementsRun}/${m.statementsTotal ?? '?'}`,
          (m.appliedChecksum ?? m.checksum)?.slice(0, 12),
        ]),
      ),
    );
    if (report.seeds.length > 0) {
      print('');
      print(
        table(
          ['seed', 'state', 'seeded at', 'written', 'unchanged', 'failed', 'duration'],
          report.seeds.map((s) => [s.name, s.state, timestamp(s.seededAt), s.rowsWritten, s.rowsUnchanged, s.rowsFailed, duration(s.durationMs)]),
        ),
      );
    }
    for (const m of report.migrations.filter((r) => r.lease)) {
      print(`\n${m.name} is running (${m.direction ?? 'up'}), lease held by ${m.lease!.owner} until ${timestamp(m.lease!.expiresAt)} unless renewed`);
    }
    for (const m of attention) {
      const why = m.state === 'interrupted' ? `: left running by a runner that is gone (${m.direction ?? 'up'}); the next '${m.direction ?? 'up'}' resumes it, or says why not` : m.error ? `: ${m.error}` : '';
      print(`\n${m.name} is ${m.state}${why}`);
    }
    if (attention.length > 0) print(`\nRun 'cratedb-migrate validate' for what to do.`);
  }
  return attention.length > 0 ? ExitCode.drift : ExitCode.ok;
};

export const validate: CommandRun = async (parsed, signal) => {
  const args = argsOf<object>(parsed);
  const drift = await validateApi(apiOptions(args, signal));
  if (args.json) printJson({ drift });
  else if (drift.length === 0) print('Every applied migration matches its file.');
  else {
    print(table(['name', 'problem', 'applied checksum', 'file checksum'], drift.map((d) => [d.name, d.problem, d.appliedChecksum.slice(0, 12), d.fileChecksum?.slice(0, 12)])));
    print(
      '\nAn applied migration was edited or deleted. CrateDB already ran the old statements, so the files no longer ' +
        'describe the database. Restore the files (git), or write a new migration for the change and restore the old ' +
        "one; if the edit is harmless (a comment), acknowledge it with 'cratedb-migrate repair' or run 'up --force-checksum'.",
    );
  }
  return drift.length > 0 ? ExitCode.drift : ExitCode.ok;
};

export const repair: CommandRun = async (parsed, signal) => {
  const args = argsOf<object>(parsed);
  const result = await repairApi(apiOptions(args, signal));
  if (args.json) printJson(result);
  else {
    const lines = [
      ...result.checksumsUpdated.map((n) => `checksum realigned  ${n}`),
      ...result.removedMissing.map((n) => `forgotten (no file) ${n}`),
      ...result.removedFailed.map((n) => `pending again       ${n} (was failed or interrupted: check what it left behind)`),
      ...result.restored.map((n) => `applied again       ${n} (its revert had failed or was interrupted: you put back what it undid)`),
    ];
    print(lines.length > 0 ? lines.join('\n') : 'Nothing to repair.');
  }
  return ExitCode.ok;
};
