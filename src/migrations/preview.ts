import type { CrateClient } from '../client/types.js';
import type { CheckResult } from './check/types.js';
import type { LoadedMigration, Section } from './migration.js';
import { planRebuild, type RebuildPlan } from './rebuild/rebuild.js';
import type { RebuildSpec } from './rebuild/spec.js';
import type { SqlStatement } from './sql-file.js';
import { RebuildError } from '../errors.js';
import type { PlannedMigration, PlannedStatement, PlanResult } from './types.js';

/**
 * `plan`: the migrations a dry run of `up` found, each with its statements, the check's findings in it and
 * what its rebuilds will copy. Read-only: the rebuild plans read the live tables.
 */
export async function previewOf(client: CrateClient, loaded: readonly LoadedMigration[], check: CheckResult | undefined): Promise<PlanResult> {
  const migrations = await Promise.all(
    loaded.map(async (m) => ({
      name: m.file.name,
      version: m.file.version,
      file: m.file.displayPath,
      statements: plannedStatements(m, m.up),
      findings: check?.findings.filter((f) => f.migration === m.file.name) ?? [],
      ...(await planRebuilds(client, m)),
    })),
  );
  if (!check) return { migrations, check: null };
  const { findings: _, ...totals } = check;
  return { migrations, check: totals };
}

/** A section's statements as they will be sent, with file:line; null for code (its function decides). */
export function plannedStatements(m: LoadedMigration, section: Section): PlannedStatement[] | null {
  return section.kind === 'sql' ? section.statements.map((s) => ({ sql: s.sql, file: m.file.displayPath, line: s.line })) : null;
}

/** The plans of a migration's `-- migrate:rebuild` steps (read-only: they read the live tables). One the
 * rebuild module cannot plan yet (its table is made by an earlier pending migration) is listed with the
 * reason instead of failing the whole plan. A code migration's `ctx.rebuildTable` is known only when it runs. */
async function planRebuilds(client: CrateClient, m: LoadedMigration): Promise<Pick<PlannedMigration, 'rebuilds' | 'unplannedRebuilds'>> {
  const steps = m.up.kind === 'sql' ? m.up.statements.filter((s): s is SqlStatement & { rebuild: RebuildSpec } => s.rebuild !== undefined) : [];
  const rebuilds: RebuildPlan[] = [];
  const unplannedRebuilds: PlannedMigration['unplannedRebuilds'] = [];
  for (const s of steps) {
    try {
      rebuilds.push(await planRebuild(client, s.rebuild));
    } catch (err) {
      if (!(err instanceof RebuildError)) throw err;
      unplannedRebuilds.push({ file: m.file.displayPath, line: s.line, table: err.table, reason: err.message });
    }
  }
  return { rebuilds, unplannedRebuilds };
}
