import * as v from 'valibot';
import type { TableRef } from '../client/types.js';
import { FileFormatError } from '../errors.js';
import { mappingOf, nonEmptyText as nonEmpty } from '../validation.js';
import { parseColumnType, type ColumnType } from './column-types.js';
import { SEED_MODES, type SeedMode } from './types.js';

const wholeNumber = 'expected a whole number greater than 0';

/**
 * The header every seed format shares (YAML/JSON top-level keys, the NDJSON `{"$seed": {...}}` line, a CSV's
 * `<file>.csv.yaml` sidecar, a code seed's exports). Unknown keys are errors: a typo such as `tabel` must not
 * silently seed the wrong table.
 */
const headerEntries = {
  table: v.optional(nonEmpty),
  schema: v.optional(nonEmpty),
  key: v.optional(
    v.union(
      [nonEmpty, v.pipe(v.array(nonEmpty), v.minLength(1, 'must list at least one column'))],
      'expected a column name or a list of column names',
    ),
  ),
  mode: v.optional(v.picklist(SEED_MODES, `expected one of: ${SEED_MODES.join(', ')}`)),
  requires: v.optional(v.union([nonEmpty, v.array(nonEmpty)], 'expected a migration name or a list of migration names')),
  batchSize: v.optional(v.pipe(v.number(wholeNumber), v.safeInteger(wholeNumber), v.gtValue(0, wholeNumber))),
  columns: v.optional(
    v.pipe(mappingOf('expected a mapping of column names to types'), v.record(v.string(), nonEmpty)),
  ),
};
const headerSchema = v.pipe(mappingOf('expected a mapping'), v.strictObject(headerEntries));

export const HEADER_KEYS = Object.keys(headerEntries);

/** A seed's header after validation. */
export interface SeedHeader {
  /** Undefined only for a code seed that runs statements and generates no rows. */
  table?: TableRef;
  /** Conflict key as declared; checked against the table's primary key. */
  key?: string[];
  mode?: SeedMode;
  requires: string[];
  batchSize?: number;
  /** Declared column types: used for columns the table does not have (yet). */
  columns: Map<string, ColumnType>;
}

export interface HeaderContext {
  /** The seed file, for error messages. */
  file: string;
  /** The config's schema, for table names without one. */
  schema: string;
  /** Table to use when the header names none (from the file name); undefined: a header without table is fine. */
  defaultTable?: string;
  /** Line of a header key, when the format knows it. */
  lineOf?: (path: ReadonlyArray<string | number>) => number | undefined;
}

export function parseHeader(raw: unknown, ctx: HeaderContext): SeedHeader {
  const parsed = v.safeParse(headerSchema, raw ?? {});
  if (!parsed.success) {
    const issue = parsed.issues[0];
    // Only an unknown key is a strict_object issue here; valibot names the first one, the message all of them.
    const keys = issue.type === 'strict_object' ? Object.keys(raw as object).filter((k) => !HEADER_KEYS.includes(k)) : [];
    const where = keys.length > 0 ? [keys[0]!] : (issue.path ?? []).map((p) => p.key as string | number);
    const what = keys.length > 0
      ? `unknown header key ${keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${HEADER_KEYS.join(', ')})`
      : `header key "${where.join('.')}": ${issue.message}`;
    throw new FileFormatError(`${ctx.file}: ${what}`, ctx.file, ctx.lineOf?.(where));
  }
  const h = parsed.output;
  const tableName = h.table ?? ctx.defaultTable;
  const columns = new Map<string, ColumnType>();
  for (const [name, type] of Object.entries(h.columns ?? {})) columns.set(name, parseColumnType(type));
  return {
    table: tableName === undefined ? undefined : resolveTable(tableName, h.schema ?? ctx.schema, h.schema !== undefined),
    key: h.key === undefined ? undefined : [h.key].flat(),
    mode: h.mode,
    requires: h.requires === undefined ? [] : [h.requires].flat(),
    batchSize: h.batchSize,
    columns,
  };
}

/** `books` -> schema.books; `doc.books` -> doc.books unless a `schema` key was given explicitly. */
function resolveTable(name: string, schema: string, explicitSchema: boolean): TableRef {
  const dot = name.indexOf('.');
  if (dot > 0 && !explicitSchema) return { schema: name.slice(0, dot), table: name.slice(dot + 1) };
  return { schema, table: name };
}

/**
 * The table a seed file names by its file name: `books.csv` -> `books`, `02_books.ndjson` -> `books` (a
 * numeric prefix orders seeds and is not part of the name), `doc.books.csv` -> `doc.books`.
 */
export function tableFromSeedName(seedName: string): string {
  return seedName.replace(/^\d+[_-]/, '');
}
