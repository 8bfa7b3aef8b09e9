import type { ResolvedConfig } from '../config/types.js';
import type { MigrationContext } from '../context.js';
import { loadCodeMigration } from './code-file.js';
import type { MigrationFile } from './source.js';
import { parseSqlMigration, type SqlStatement } from './sql-file.js';

/** One direction of a migration: statements to send one by one, or a function given `ctx`. */
export type Section = { kind: 'sql'; statements: SqlStatement[] } | { kind: 'code'; run: (ctx: MigrationContext) => Promise<void> };

/** A migration file with its content interpreted. `down` null: it cannot be reverted. */
export interface LoadedMigration {
  file: MigrationFile;
  up: Section;
  down: Section | null;
  /** The file says its statements (or its functions) are safe to run again after a crash. */
  rerunnable: boolean;
}

/** Parses a SQL file or imports a code module. Throws `FileFormatError` (nothing has been sent). */
export async function loadMigration(file: MigrationFile, config: ResolvedConfig): Promise<LoadedMigration> {
  if (file.kind === 'sql') {
    const sql = await parseSqlMigration(new TextDecoder().decode(file.content), {
      file: file.displayPath,
      placeholders: config.placeholders,
      defaultSchema: config.schema,
    });
    return {
      file,
      up: { kind: 'sql', statements: sql.up },
      down: sql.down === null ? null : { kind: 'sql', statements: sql.down },
      rerunnable: sql.rerunnable,
    };
  }
  const code = await loadCodeMigration(file);
  return {
    file,
    up: { kind: 'code', run: code.up },
    down: code.down === null ? null : { kind: 'code', run: code.down },
    rerunnable: code.rerunnable,
  };
}
