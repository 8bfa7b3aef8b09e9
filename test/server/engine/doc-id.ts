/**
 * CrateDB's `_id` of a document with a composite primary key (Id.encode): base64 of the number of key
 * values as a vInt, then each value's UTF-8 bytes prefixed by their length as a vInt, the CLUSTERED BY
 * column's value first. A single key is its value as text, no key a random id. Built in SQL (inserts
 * compute it) and, for composite keys, in JS (routing and messages), the same bytes.
 */
import type { TableDef } from './catalog.js';
import { quoteIdent } from './format.js';
import { SYSTEM_SCHEMA } from './storage.js';

/** The PG functions the SQL form calls; created once per engine. */
export const DOC_ID_FUNCTIONS_SQL = `
CREATE FUNCTION ${SYSTEM_SCHEMA}.vint(n int) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN n < 128 THEN set_byte('\\x00'::bytea, 0, n)
    WHEN n < 16384 THEN set_byte(set_byte('\\x0000'::bytea, 0, (n & 127) | 128), 1, n >> 7)
    ELSE set_byte(set_byte(set_byte('\\x000000'::bytea, 0, (n & 127) | 128), 1, ((n >> 7) & 127) | 128), 2, n >> 14) END $$;
CREATE FUNCTION ${SYSTEM_SCHEMA}.doc_id(VARIADIC parts text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT replace(encode(${SYSTEM_SCHEMA}.vint(cardinality(parts)) || (
    SELECT string_agg(${SYSTEM_SCHEMA}.vint(octet_length(convert_to(p, 'UTF8'))) || convert_to(p, 'UTF8'), ''::bytea ORDER BY i)
    FROM unnest(parts) WITH ORDINALITY AS u(p, i)), 'base64'), E'\\n', '') $$;`;

/** The key columns in the order Id.encode writes them: the CLUSTERED BY one first. */
function encodingOrder(primaryKey: string[], clusteredBy: string | null): string[] {
  const first = clusteredBy !== null && primaryKey.includes(clusteredBy) ? [clusteredBy] : [];
  return [...first, ...primaryKey.filter((k) => !first.includes(k))];
}

/** The SQL of the `_id` of a document of table `t` from the values in relation `b`. */
export function docIdSql(t: TableDef, b: string): string {
  // UUIDs.base64UUID: 15 bytes as 20 characters of URL-safe base64.
  if (t.primaryKey.length === 0) return `translate(encode(substring(decode(replace(CAST(gen_random_uuid() AS text), '-', ''), 'hex') FROM 1 FOR 15), 'base64'), '+/', '-_')`;
  const parts = encodingOrder(t.primaryKey, t.clusteredBy).map((k) => `CAST(${b}.${quoteIdent(k)} AS text)`);
  return parts.length === 1 ? parts[0]! : `${SYSTEM_SCHEMA}.doc_id(${parts.join(', ')})`;
}

/** The same `_id` from the key values (by column, as text). */
export function compositeId(primaryKey: string[], clusteredBy: string | null, values: Map<string, unknown>): string {
  const bytes: number[] = [];
  const vint = (n: number): void => {
    while (n >= 128) {
      bytes.push((n & 127) | 128);
      n >>>= 7;
    }
    bytes.push(n);
  };
  const keys = encodingOrder(primaryKey, clusteredBy);
  vint(keys.length);
  for (const k of keys) {
    const utf8 = Buffer.from(String(values.get(k)), 'utf8');
    vint(utf8.length);
    bytes.push(...utf8);
  }
  return Buffer.from(bytes).toString('base64');
}
