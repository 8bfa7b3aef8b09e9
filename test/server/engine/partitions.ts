/**
 * Partitions of a PARTITIONED BY table: one per distinct value of the partition columns among the
 * table's rows (written rows count at once: CrateDB creates the partition on write). Each has CrateDB's
 * ident (base32 of the values as CrateDB serializes them) and its own settings, which
 * `ALTER TABLE t PARTITION (col = v) SET (...)` changes; DELETE on the partition columns only drops
 * whole partitions.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { TableDef } from './catalog.js';
import { CrateError } from './errors.js';
import { quoteIdent } from './format.js';
import { pgTableName } from './storage.js';
import { coerce } from './values.js';

export interface Partition {
  ident: string;
  values: Record<string, string | null>;
  numberOfShards: number;
  numberOfReplicas: string;
}

function vint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

const BASE32_HEX = '0123456789abcdefghijklmnopqrstuv';

/** CrateDB's partition ident: vint(count), then each value as an optional string (length + 1, 0 for
 * null), base32 (hex alphabet, lower case) without padding. */
export function partitionIdent(values: Array<string | null>): string {
  const bytes = [...vint(values.length)];
  for (const v of values) {
    if (v === null) {
      bytes.push(0);
      continue;
    }
    const utf8 = Buffer.from(v, 'utf8');
    bytes.push(...vint(v.length + 1), ...utf8);
  }
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_HEX[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_HEX[(acc << (5 - bits)) & 31];
  return out;
}

/** A partition value as CrateDB keeps it: text of the JSON value. */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** The table's partitions in ident order (none for a table that is not partitioned). */
export async function partitionsOf(pg: PGlite, t: TableDef): Promise<Partition[]> {
  if (t.partitionedBy.length === 0) return [];
  const cols = t.partitionedBy.map(quoteIdent).join(', ');
  const r = await pg.query<unknown[]>(`SELECT DISTINCT ${cols} FROM ${pgTableName(t, 'live')}`, [], { rowMode: 'array' });
  return r.rows
    .map((row) => {
      const texts = row.map(valueText);
      const ident = partitionIdent(texts);
      const own = t.partitionSettings?.[ident];
      return {
        ident,
        values: Object.fromEntries(t.partitionedBy.map((c, i) => [c, texts[i]!])),
        numberOfShards: own?.numberOfShards ?? t.numberOfShards,
        numberOfReplicas: own?.numberOfReplicas ?? t.numberOfReplicas,
      };
    })
    .sort((a, b) => (a.ident < b.ident ? -1 : a.ident > b.ident ? 1 : 0));
}

/** A value of partition column `c` cast to the column's type (implicitCast), as CrateDB reads one. */
export function partitionValue(t: TableDef, c: string, value: unknown): unknown {
  const col = t.columns.find((x) => x.name === c);
  return col ? coerce(value, col.type, { kind: 'evaluated' }, { column: c, added: [] }) : value;
}

/** The partition that `PARTITION (col = value, ...)` names, or CrateDB's 4046. */
export async function namedPartition(pg: PGlite, t: TableDef, values: Map<string, unknown>): Promise<Partition> {
  // The value is converted to its column's type first, as CrateDB does: '2024-01-01T00:00:00Z' names
  // the partition of a timestamp column whose value is 1704067200000.
  const ident = partitionIdent(t.partitionedBy.map((c) => valueText(partitionValue(t, c, values.get(c)))));
  const hit = (await partitionsOf(pg, t)).find((p) => p.ident === ident);
  if (!hit) throw new CrateError(404, 4046, `PartitionUnknownException[No partition for table '${t.schema}.${t.name}' with ident '${ident}' exists]`);
  return hit;
}
