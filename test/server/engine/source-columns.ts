/**
 * The `_doc` and `_raw` system columns: a row's source as CrateDB keeps it, the object of its columns that
 * hold a value (`_doc`) and that object as JSON text (`_raw`), columns in the table's order. Values are
 * CrateDB's: timestamps as epoch milliseconds, a geo_point as `[lon, lat]`, an ip as its text.
 */
import type { ColumnDef, TableDef } from './catalog.js';
import { pgString, quoteIdent } from './format.js';
import { SYSTEM_SCHEMA } from './storage.js';

/** A column's value as jsonb, as CrateDB's source holds it. */
function jsonValue(c: ColumnDef, ref: string): string {
  switch (c.type.kind) {
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return `to_jsonb(CAST(EXTRACT(epoch FROM ${ref}) * 1000 AS bigint))`;
    case 'geo_point':
      return `jsonb_build_array((${ref})[0], (${ref})[1])`;
    case 'ip':
      return `to_jsonb(host(${ref}))`;
    case 'char':
    case 'bit':
    case 'interval':
      return `to_jsonb(CAST(${ref} AS text))`;
    default:
      return `to_jsonb(${ref})`;
  }
}

/** `_doc` (jsonb) and `_raw` (text) of the table's row under `alias`. */
export function sourceColumns(t: TableDef, alias: string): { doc: string; raw: string } {
  const cols = t.columns.map((c) => ({ name: c.name, ref: `${quoteIdent(alias)}.${quoteIdent(c.name)}`, value: jsonValue(c, `${quoteIdent(alias)}.${quoteIdent(c.name)}`) }));
  const doc = cols.length === 0
    ? `'{}'::jsonb`
    : `jsonb_strip_nulls(jsonb_build_object(${cols.map((c) => `${pgString(c.name)}, ${c.value}`).join(', ')}))`;
  const members = cols.map((c) => `CASE WHEN ${c.ref} IS NULL THEN NULL ELSE ${pgString(`${JSON.stringify(c.name)}:`)} || ${SYSTEM_SCHEMA}.json_text(${c.value}) END`);
  const raw = members.length === 0 ? `'{}'` : `('{' || concat_ws(',', ${members.join(', ')}) || '}')`;
  return { doc, raw };
}
