/**
 * PG errors turned into CrateDB's: SQLSTATE to CrateDB code, HTTP status and message text. The
 * translation already resolves relations, columns and functions itself, so what reaches here is
 * mostly runtime: duplicate keys, constraint checks, casts, division by zero.
 */
import type { ColumnDef, TableDef } from './catalog.js';
import { columnUnknown, CrateError, duplicateKey, relationUnknown, schemaUnknown, sqlParse, unsupportedFunction } from './errors.js';
import { javaString } from './values.js';

export interface PgError extends Error {
  code: string;
  constraint?: string;
  column?: string;
  detail?: string;
}

export function isPgError(e: unknown): e is PgError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((e as unknown as { code: string }).code);
}

/** The CrateDB error for a failed CHECK / NOT NULL on `table` (values: the row as inserted). */
export function constraintError(e: PgError, table: TableDef, values: unknown[] | undefined, columns: ColumnDef[]): CrateError {
  if (e.code === '23514' && e.constraint) {
    const nn = table.notNullChecks[e.constraint];
    if (nn !== undefined) return sqlParse(`"${nn}" must not be null`);
    const check = table.checks.find((c) => c.pgName === e.constraint);
    if (check) {
      const shown = values === undefined ? '' : `[${values.map((v, i) => javaString(v, columns[i]?.type)).join(', ')}]`;
      return sqlParse(`Failed CONSTRAINT ${check.name} CHECK (${check.expr}) for values: ${shown}`);
    }
  }
  return mapPgError(e);
}

/** Maps any PG error onto CrateDB's code and message. */
export function mapPgError(e: PgError): CrateError {
  const msg = e.message;
  switch (e.code) {
    case '23505':
      return duplicateKey();
    case '23502':
      return sqlParse(`"${e.column ?? 'column'}" must not be null`);
    case '42P01':
      return relationUnknown(/relation "([^"]+)"/.exec(msg)?.[1] ?? 'unknown');
    case '3F000':
      return schemaUnknown(/schema "([^"]+)"/.exec(msg)?.[1] ?? 'unknown');
    case '42703':
      return columnUnknown(/column "?([^" ]+)"? (of relation .* )?does not exist/.exec(msg)?.[1]?.replace(/^.*\./, '') ?? 'unknown');
    case '22012':
      return sqlParse('/ by zero');
    case 'CR400':
      return sqlParse(msg);
    case '42883': {
      const fn = /function ([^(]+)\(/.exec(msg);
      if (fn && msg.startsWith('function')) return unsupportedFunction(`Unknown function: ${fn[1]}`);
      return sqlParse(msg);
    }
    case '22P02':
    case '22007':
    case '22008': {
      const m = /invalid input syntax for type ([a-z ]+): "(.*)"$/.exec(msg);
      // PG's names of these types are CrateDB's (integer, double precision, timestamp with time zone, ...).
      if (m) return sqlParse(`Cannot cast value \`${m[2]}\` to type \`${m[1]}\``);
      return sqlParse(msg);
    }
    case '22001': {
      const len = /\((\d+)\)/.exec(msg)?.[1];
      return sqlParse(`value is too long for the text type of length: ${len ?? '?'}`);
    }
    case '22003':
      // Left over after literal casts are checked up front: arithmetic, which CrateDB does with Math.addExact & co.
      if (msg === 'integer out of range') return sqlParse('integer overflow');
      if (msg === 'bigint out of range') return sqlParse('long overflow');
      return sqlParse(msg);
    case '23514':
      return sqlParse(msg);
    default:
      if (e.code.startsWith('22') || e.code.startsWith('42')) return sqlParse(msg);
      return new CrateError(500, 5000, `SQLException[${msg}]`);
  }
}
