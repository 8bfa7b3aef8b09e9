import { importCodeModule } from '../code-module.js';
import type { CodeMigration } from '../context.js';
import { FileFormatError } from '../errors.js';
import type { MigrationFile } from './source.js';

/** A loaded TS/JS migration: `down` is null when the module exports none (it cannot be reverted). */
export interface LoadedCodeMigration {
  up: CodeMigration['up'];
  down: NonNullable<CodeMigration['down']> | null;
  /** `export const rerunnable = true`: after a crash, up/down may simply run again from the start. */
  rerunnable: boolean;
}

/**
 * Imports a `.ts/.mts/.js/.mjs` migration module (see `importCodeModule`). Named exports `up`/`down` are read, or
 * the same members of a default export (`export default { up, down }`, or a CommonJS `module.exports`).
 */
export async function loadCodeMigration(file: Pick<MigrationFile, 'path' | 'displayPath' | 'checksum'>): Promise<LoadedCodeMigration> {
  const mod = await importCodeModule(file.path, file.displayPath, file.checksum);

  const exported = typeof mod.up === 'function' ? mod : ((mod.default ?? {}) as Record<string, unknown>);
  const { up, down, rerunnable } = exported;
  if (typeof up !== 'function') {
    throw new FileFormatError(
      `${file.displayPath}: a code migration must export an up(ctx) function (and a down(ctx) to be revertible)`,
      file.displayPath,
    );
  }
  if (down !== undefined && typeof down !== 'function') {
    throw new FileFormatError(`${file.displayPath}: 'down' is exported but is not a function`, file.displayPath);
  }
  if (rerunnable !== undefined && typeof rerunnable !== 'boolean') {
    throw new FileFormatError(`${file.displayPath}: 'rerunnable' must be exported as true or false`, file.displayPath);
  }
  return {
    up: up as LoadedCodeMigration['up'],
    down: (down as LoadedCodeMigration['down'] | undefined) ?? null,
    rerunnable: rerunnable === true,
  };
}
