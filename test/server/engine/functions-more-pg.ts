/**
 * PostgreSQL compatibility functions CrateDB answers for clients that introspect (io.crate.expression.scalar
 * .postgres and .systeminformation) and that need nothing of the session: constants, NULLs, the start time and
 * pg_sleep. The ones that read the user and the catalog are in functions-more-privileges.ts.
 */
import type { MoreMapper } from './functions-more.js';
import type { Typed } from './scope.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { T } from './types.js';

const NULL_TEXT: Typed = { sql: 'CAST(NULL AS text)', type: T.text };
/** NULL for a NULL argument (a function's null propagation), else `sql`. */
export const nullUnless = (arg: Typed, sql: string): string => `(CASE WHEN ${arg.sql} IS NULL THEN NULL ELSE ${sql} END)`;

/** PgEncodingToCharFunction: PostgreSQL's encoding ids (pg_wchar.h) in order; NULL outside them. */
const ENCODINGS = ('SQL_ASCII EUC_JP EUC_CN EUC_KR EUC_TW EUC_JIS_2004 UTF8 MULE_INTERNAL LATIN1 LATIN2 LATIN3 LATIN4 LATIN5 ' +
  'LATIN6 LATIN7 LATIN8 LATIN9 LATIN10 WIN1256 WIN1258 WIN866 WIN874 KOI8R WIN1251 WIN1252 ISO_8859_5 ISO_8859_6 ISO_8859_7 ' +
  'ISO_8859_8 WIN1250 WIN1253 WIN1254 WIN1255 WIN1257 KOI8U SJIS BIG5 GBK UHC GB18030 JOHAB SHIFT_JIS_2004').split(' ');

/**
 * format_type (FormatTypeFunction): the name of the CrateDB type PGTypes.fromOID gives the OID, `[]` per array
 * dimension, `???` for an OID it does not know. Where CrateDB maps two types to one OID, the first registered
 * wins (varchar is text, json is object, "char" is byte).
 */
const TYPE_NAMES: Record<number, string> = {
  0: 'undefined', 16: 'boolean', 18: 'byte', 20: 'bigint', 21: 'smallint', 23: 'integer', 24: 'regproc', 25: 'text',
  114: 'object', 600: 'geo_point', 700: 'real', 701: 'double precision', 1042: 'character', 1043: 'text',
  1082: 'date', 1114: 'timestamp without time zone', 1184: 'timestamp with time zone', 1186: 'interval',
  1266: 'time with time zone', 1560: 'bit', 1700: 'numeric', 2205: 'regclass', 2249: 'record', 30: 'oidvector',
};
const ARRAY_TYPES: Record<number, number> = {
  1000: 16, 1002: 18, 1016: 20, 1005: 21, 1007: 23, 1008: 24, 1009: 25, 199: 114, 1017: 600, 1021: 700, 1022: 701,
  1014: 1042, 1015: 1043, 1182: 1082, 1115: 1114, 1185: 1184, 1187: 1186, 1270: 1266, 1561: 1560, 1231: 1700, 2287: 2249,
};

function formatType(arg: Typed): string {
  const names = [
    ...Object.entries(TYPE_NAMES).map(([oid, name]) => `WHEN ${oid} THEN '${name}'`),
    ...Object.entries(ARRAY_TYPES).map(([oid, element]) => `WHEN ${oid} THEN '${TYPE_NAMES[element]}[]'`),
  ];
  return nullUnless(arg, `(CASE CAST(${arg.sql} AS integer) ${names.join(' ')} ELSE '???' END)`);
}

/** Functions CrateDB registers under pg_catalog (also reachable as `pg_catalog.name`). */
const PG_CATALOG: Record<string, MoreMapper> = {
  // PgGetUserByIdFunction: always the superuser's name, NULL for NULL.
  pg_get_userbyid: ([id]) => ({ sql: nullUnless(id!, `'crate'`), type: T.text }),
  pg_encoding_to_char: ([id]) => ({
    sql: `(CASE CAST(${id!.sql} AS integer) ${ENCODINGS.map((e, i) => `WHEN ${i} THEN '${e}'`).join(' ')} END)`,
    type: T.text,
  }),
  format_type: ([oid]) => ({ sql: formatType(oid!), type: T.text }),
  // CrateDB keeps no comments, expressions, partition key definitions or serial sequences: always NULL.
  obj_description: () => NULL_TEXT,
  col_description: () => NULL_TEXT,
  pg_get_expr: () => NULL_TEXT,
  pg_get_partkeydef: () => NULL_TEXT,
  pg_get_serial_sequence: () => NULL_TEXT,
  // The node's start time; PGlite starts with the engine.
  pg_postmaster_start_time: () => ({ sql: 'pg_postmaster_start_time()', type: T.timestamptz }),
  // The return type of the function with that OID: no function has an OID here (no pg_proc), so NULL.
  pg_get_function_result: () => NULL_TEXT,
};

export const PG_FUNCTIONS: Record<string, MoreMapper> = {
  ...PG_CATALOG,
  ...Object.fromEntries(Object.entries(PG_CATALOG).map(([name, fn]) => [`pg_catalog.${name}`, fn])),
  // PgFunctionIsVisibleFunction: whether a function has the OID; none has one here (see pg_get_function_result).
  pg_function_is_visible: ([oid]) => ({ sql: nullUnless(oid!, 'FALSE'), type: T.boolean }),
  // PgSleepFunction (6.3): sleeps that many seconds, TRUE (also for NULL); Thread.sleep refuses a negative time.
  pg_sleep: ([seconds]) => {
    const s = `CAST(${seconds!.sql} AS double precision)`;
    return {
      sql: `(CASE WHEN trunc(${s} * 1000) < 0 THEN ${SYSTEM_SCHEMA}.fail('timeout value is negative', CAST(NULL AS boolean)) ELSE (SELECT TRUE FROM pg_sleep(${s})) END)`,
      type: T.boolean,
    };
  },
};
