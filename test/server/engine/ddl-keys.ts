/**
 * CREATE TABLE rules for key, routing and partition columns, in the order CrateDB's
 * TableElementsAnalyzer applies them: key types while the columns are read, then each PARTITIONED BY
 * column (known, part of the key if there is one, of a primitive type, not fulltext-indexed, not the
 * CLUSTERED BY column).
 */
import type { ColumnDef } from './catalog.js';
import { columnUnknown, sqlParse, unsupportedFeature } from './errors.js';
import { typeName } from './types.js';

/** Types that can be neither a key nor a partition column (CrateDB's UNSUPPORTED_PK_TYPE_IDS). */
const NOT_KEYABLE = new Set(['object', 'geo_point', 'geo_shape']);
/** Not primitive for PARTITIONED BY besides those: collections and vectors. */
const NOT_PARTITIONABLE = new Set([...NOT_KEYABLE, 'array', 'float_vector']);

export function checkKeyColumns(columns: ColumnDef[], pk: string[], partitionedBy: string[], explicitRouting: string | null): void {
  for (const k of pk) {
    const col = columns.find((c) => c.name === k);
    if (!col) continue;
    if (col.type.kind === 'array') {
      throw unsupportedFeature(`Cannot use column "${k}" with type "${typeName(col.type)}" as primary key`);
    }
    if (NOT_KEYABLE.has(col.type.kind)) throw unsupportedFeature(`Cannot use columns of type "${typeName(col.type)}" as primary key`);
  }
  for (const p of partitionedBy) {
    const col = columns.find((c) => c.name === p);
    if (!col) throw columnUnknown(p);
    if (pk.length > 0 && !pk.includes(p)) {
      throw sqlParse(`Cannot use non primary key column '${p}' in PARTITIONED BY clause if primary key is set on table`);
    }
    if (NOT_PARTITIONABLE.has(col.type.kind)) throw sqlParse(`Cannot use column ${p} of type ${typeName(col.type)} in PARTITIONED BY clause`);
    if (col.fulltext !== undefined) throw sqlParse(`Cannot use column ${p} with fulltext index in PARTITIONED BY clause`);
    if (p === explicitRouting) throw sqlParse(`Cannot use CLUSTERED BY column \`${p}\` in PARTITIONED BY clause`);
  }
  // The analyzer binds CLUSTERED BY against the columns being defined.
  if (explicitRouting !== null && !columns.some((c) => c.name === explicitRouting)) throw columnUnknown(explicitRouting);
}
