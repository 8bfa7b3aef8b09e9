/**
 * An object value's keys in the order of the object's columns, as CrateDB returns them, where PG's jsonb
 * gives shorter keys first: `{"nested": ..., "k": ...}` stays in that order. Sub-columns come in their
 * type's order (definition order, then a dynamic key where it was first seen); keys the type does not know
 * (an ignored object's) follow in the order they come.
 */
import type { CrateType } from './types.js';

export function inColumnOrder(value: unknown, type: CrateType | undefined): unknown {
  if (value === null || typeof value !== 'object' || type === undefined) return value;
  if (Array.isArray(value)) return type.kind === 'array' ? value.map((v) => inColumnOrder(v, type.element)) : value;
  if (type.kind !== 'object' || type.fields.length === 0) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // A type's fields are kept in position order: addFields appends a new key with the next position.
  for (const f of type.fields) if (Object.hasOwn(source, f.name)) out[f.name] = inColumnOrder(source[f.name], f.type);
  for (const [k, v] of Object.entries(source)) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

/** Whether a result column can hold an object whose keys need ordering. */
export function holdsObjects(type: CrateType | undefined): boolean {
  if (type?.kind === 'array') return holdsObjects(type.element);
  return type?.kind === 'object' && type.fields.length > 0;
}
