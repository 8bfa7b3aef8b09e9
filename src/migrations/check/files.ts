import type { CrateClient } from '../../client/types.js';
import { CheckError } from '../../errors.js';
import type { ResolvedConfig } from '../../config/types.js';
import type { MigrationFile } from '../source.js';
import { parseSqlMigration } from '../sql-file.js';
import { loadSqlGrammar } from '../sql-grammar.js';
import { parseVersion } from '../../introspection.js';
import { checkMigrations } from './check.js';
import { createTableReader } from './cluster.js';
import type { CheckMigration, CheckResult } from './types.js';

/**
 * The check of migration files as the runner will run them: SQL files parsed with the config's
 * placeholders (a file that does not parse throws its `FileFormatError`, as `up` would), code modules
 * listed as not checked (importing them would run their top-level code). Reads the cluster, writes nothing.
 */
export async function checkFiles(deps: { client: CrateClient; config: ResolvedConfig }, files: readonly MigrationFile[]): Promise<CheckResult> {
  const { client, config } = deps;
  const migrations = await Promise.all(files.map((file) => toCheckMigration(file, config)));
  // The version request goes out while the grammar loads, not after it.
  const [grammar, { version }] = await Promise.all([loadSqlGrammar(), client.ping()]);
  return checkMigrations({
    migrations,
    readTable: createTableReader(client, grammar),
    defaultSchema: config.schema,
    qualifyNames: config.check?.qualifyNames ?? false,
    serverVersion: knownVersion(version),
  });
}

/** The version `ping` answered; null when the server named none ('unknown'), so that the rules that differ
 * between versions warn instead of judging the server a 0.x (older than 6, as parseVersion would read it). */
function knownVersion(number: string): { major: number; minor: number } | null {
  return /^\d+\.\d+\.\d+/.test(number) ? parseVersion(number) : null;
}

async function toCheckMigration(file: MigrationFile, config: ResolvedConfig): Promise<CheckMigration> {
  const base = { name: file.name, file: file.displayPath };
  if (file.kind === 'code') return { ...base, kind: 'code', up: [], hasDown: false };
  const sql = await parseSqlMigration(new TextDecoder().decode(file.content), {
    file: file.displayPath,
    placeholders: config.placeholders,
    defaultSchema: config.schema,
  });
  return { ...base, kind: 'sql', up: sql.up, hasDown: sql.down !== null };
}

/** The `CheckError` (code `CM_CHECK`, exit 2) for a result with errors, naming the first; null without. */
export function checkErrorOf(result: CheckResult): CheckError | null {
  const first = result.findings.find((f) => f.severity === 'error');
  if (!first) return null;
  return new CheckError(
    `${result.errors} statement${result.errors === 1 ? '' : 's'} CrateDB will refuse; first, ${first.file}:${first.line}: ${first.message}. Fix: ${first.fix}`,
    result,
  );
}
