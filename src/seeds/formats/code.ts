import { importCodeModule } from '../../code-module.js';
import type { MigrationContext } from '../../context.js';
import { FileFormatError } from '../../errors.js';
import { HEADER_KEYS, parseHeader } from '../header.js';
import type { CodeSeed, SeedRowValues } from '../types.js';
import type { SeedSource, SourceRow } from './source.js';

const CODE_KEYS = [...HEADER_KEYS, 'rows', 'run'];

/**
 * TS/JS seeds, imported only when they are about to run (`.ts` through tsx's `tsImport`, so users need no
 * build step). The module's default export (or its named exports) is a `CodeSeed`.
 */
export async function openCodeSeed(path: string, displayFile: string, schema: string, checksum: string): Promise<SeedSource> {
  const mod = await importCodeModule(path, displayFile, checksum);
  const seed = codeSeedOf(mod, displayFile);
  const headerRaw = Object.fromEntries(Object.entries(seed).filter(([k]) => HEADER_KEYS.includes(k)));
  const header = parseHeader(headerRaw, { file: displayFile, schema });
  if (seed.rows === undefined && seed.run === undefined) {
    const message = `${displayFile}: a code seed exports rows (rows to write) or run(ctx) (statements), or both`;
    throw new FileFormatError(message, displayFile);
  }
  if (seed.run !== undefined && typeof seed.run !== 'function') {
    throw new FileFormatError(`${displayFile}: run must be a function run(ctx)`, displayFile);
  }
  if (seed.rows !== undefined && header.table === undefined) {
    throw new FileFormatError(`${displayFile}: a code seed that exports rows must name its table`, displayFile);
  }
  const run = seed.run;
  return {
    header,
    hasRows: seed.rows !== undefined,
    countRows: async () => (Array.isArray(seed.rows) ? seed.rows.length : undefined),
    rows: (ctx) => generatedRows(seed.rows, ctx, displayFile),
    run: run ? async (ctx) => { await run.call(seed, ctx); } : undefined,
  };
}

/**
 * tsx loads a `.ts` file outside an ESM package as CommonJS: the namespace's `default` is then the whole
 * `module.exports` (holding `default` and the named exports), and the named exports are repeated beside it.
 */
function unwrapCommonJs(mod: Record<string, unknown>): Record<string, unknown> {
  const exports = mod.default;
  if (typeof exports !== 'object' || exports === null) return mod;
  const named = Object.keys(mod).filter((k) => k !== 'default');
  const wrapped = named.every((k) => k in exports) && ('default' in exports || named.length > 0);
  return wrapped ? (exports as Record<string, unknown>) : mod;
}

function codeSeedOf(namespace: Record<string, unknown>, displayFile: string): CodeSeed {
  const mod = unwrapCommonJs(namespace);
  const def = mod.default;
  if (def !== undefined) {
    if (typeof def !== 'object' || def === null) {
      throw new FileFormatError(`${displayFile}: the default export must be a seed object ({ table, rows, ... })`, displayFile);
    }
    const unknown = Object.keys(def).filter((k) => !CODE_KEYS.includes(k));
    if (unknown.length > 0) {
      throw new FileFormatError(`${displayFile}: unknown key(s) ${unknown.join(', ')} (known: ${CODE_KEYS.join(', ')})`, displayFile);
    }
    return def as CodeSeed;
  }
  return Object.fromEntries(Object.entries(mod).filter(([k]) => CODE_KEYS.includes(k))) as CodeSeed;
}

async function* generatedRows(rows: CodeSeed['rows'], ctx: MigrationContext, displayFile: string): AsyncGenerator<SourceRow[]> {
  if (rows === undefined) return;
  const source = typeof rows === 'function' ? rows(ctx) : rows;
  if (source === null || typeof source !== 'object' || !(Symbol.asyncIterator in source || Symbol.iterator in source)) {
    throw new FileFormatError(`${displayFile}: rows must be an iterable, an async iterable or a function returning one`, displayFile);
  }
  let row = 0;
  for await (const values of source as AsyncIterable<SeedRowValues>) {
    row++;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      yield [{ row, problem: 'a generated row must be an object of column: value' }];
    } else {
      yield [{ row, values }];
    }
  }
}
