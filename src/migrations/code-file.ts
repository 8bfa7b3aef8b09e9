import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeMigration } from '../context.js';
import { FileFormatError } from '../errors.js';
import type { MigrationFile } from './source.js';

/** A loaded TS/JS migration: `down` is null when the module exports none (it cannot be reverted). */
export interface LoadedCodeMigration {
  up: CodeMigration['up'];
  down: NonNullable<CodeMigration['down']> | null;
}

/**
 * Imports a `.ts/.mts/.js/.mjs` migration module. `.js/.mjs` load with `import()`; `.ts/.mts` with tsx's
 * `tsImport`, which is loaded only when a TypeScript migration is. Named exports `up`/`down` are read, or
 * the same members of a default export (`export default { up, down }`, or a CommonJS `module.exports`).
 */
export async function loadCodeMigration(file: Pick<MigrationFile, 'path' | 'displayPath' | 'checksum'>): Promise<LoadedCodeMigration> {
  let mod: Record<string, unknown>;
  try {
    const ext = path.extname(file.path);
    // The checksum in the URL makes a changed file a new module: the ESM cache would otherwise keep
    // serving the first version for the life of the process.
    const url = `${pathToFileURL(file.path).href}?checksum=${file.checksum}`;
    if (ext === '.ts' || ext === '.mts') {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (err) {
    throw new FileFormatError(`${file.displayPath}: cannot load the module: ${(err as Error).message}`, file.displayPath, undefined, {
      cause: err,
    });
  }

  const exported = typeof mod.up === 'function' ? mod : ((mod.default ?? {}) as Record<string, unknown>);
  const { up, down } = exported;
  if (typeof up !== 'function') {
    throw new FileFormatError(
      `${file.displayPath}: a code migration must export an up(ctx) function (and a down(ctx) to be revertible)`,
      file.displayPath,
    );
  }
  if (down !== undefined && typeof down !== 'function') {
    throw new FileFormatError(`${file.displayPath}: 'down' is exported but is not a function`, file.displayPath);
  }
  return {
    up: up as LoadedCodeMigration['up'],
    down: (down as LoadedCodeMigration['down'] | undefined) ?? null,
  };
}
