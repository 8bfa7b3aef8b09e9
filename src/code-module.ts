import { pathToFileURL } from 'node:url';
import { FileFormatError } from './errors.js';

/**
 * Imports a user's TS/JS module (a code migration or seed): `.js/.mjs` with `import()`, `.ts/.mts` with tsx's
 * `tsImport` (so users need no build step), which is loaded only when a TypeScript file is. `version` (the
 * file's checksum) goes into the URL: the ESM cache would otherwise serve a changed file's first version for
 * the life of the process. A module that cannot be loaded is a `FileFormatError` naming the file.
 */
export async function importCodeModule(file: string, displayPath: string, version: string): Promise<Record<string, unknown>> {
  try {
    const url = `${pathToFileURL(file).href}?checksum=${version}`;
    if (/\.m?ts$/.test(file)) {
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new FileFormatError(`${displayPath}: cannot load the module: ${(err as Error).message}`, displayPath, undefined, { cause: err });
  }
}
