/**
 * ALTER TABLE ... SET / RESET: table settings checked against CrateDB's settings table (settings.ts),
 * shard-count changes under CrateDB's rules, and the settings of one partition.
 */
import type { TableDef } from './catalog.js';
import { CrateError, sqlParse } from './errors.js';
import { propertyValue } from './ddl-create.js';
import { constantOf } from './literals.js';
import { identName, type Ctx } from './parse.js';
import { namedPartition } from './partitions.js';
import type { RunContext } from './run.js';
import { knownSetting, validateSetting } from './settings.js';

/** ALTER TABLE SET / RESET: settings validated against CrateDB's list; the rowcount CrateDB answers. */
export function setProperties(t: TableDef, a: Ctx): number {
  if (a.SET?.()) {
    let rowcount = -1;
    for (const p of a.genericProperties().genericProperty() as Ctx[]) {
      const key = identName(p.ident());
      const value = validateSetting(key, propertyValue(p.expr()), 'alter');
      if (key === 'number_of_replicas') t.numberOfReplicas = value;
      else if (key === 'refresh_interval') t.refreshInterval = Number(value);
      else if (key === 'column_policy') t.columnPolicy = value as TableDef['columnPolicy'];
      else if (key === 'number_of_shards') rowcount = changeShards(t, Number(value));
      else t.settings[key] = value;
    }
    return rowcount;
  }
  const names = ((a.ident?.() as Ctx[] | null) ?? []).map(identName);
  for (const key of names) {
    knownSetting(key, 'alter');
    if (key === 'number_of_replicas') t.numberOfReplicas = '0-1';
    else if (key === 'refresh_interval') t.refreshInterval = 1000;
    else if (key === 'column_policy') t.columnPolicy = 'strict';
    else delete t.settings[key];
  }
  return -1;
}

/** The `PARTITION (col = value, ...)` of an ALTER TABLE, as column -> value. */
export function partitionClause(a: Ctx): Map<string, unknown> | undefined {
  const twp = a.alterTableDefinition().tableWithPartition?.();
  if (!twp?.PARTITION?.()) return undefined;
  const out = new Map<string, unknown>();
  for (const asg of twp.assignment() as Ctx[]) {
    const c = constantOf(asg.expr());
    out.set(identName(asg.primaryExpression().ident?.() ?? asg.primaryExpression()), c?.kind === 'value' ? c.value : asg.expr().getText());
  }
  return out;
}

/** Settings of one existing partition (number_of_replicas, number_of_shards; others apply table-wide). */
export async function setPartitionProperties(ctx: RunContext, t: TableDef, values: Map<string, unknown>, a: Ctx): Promise<void> {
  const p = await namedPartition(ctx.state.pg, t, values);
  if (!a.SET?.()) return;
  const own = ((t.partitionSettings ??= {})[p.ident] ??= {});
  for (const prop of a.genericProperties().genericProperty() as Ctx[]) {
    const key = identName(prop.ident());
    const value = validateSetting(key, propertyValue(prop.expr()), 'alter');
    if (key === 'number_of_replicas') own.numberOfReplicas = value;
    else if (key === 'number_of_shards') own.numberOfShards = Number(value);
  }
}

/**
 * number_of_shards: on a partitioned table it applies to new partitions; a plain table is resized,
 * which CrateDB allows only under a write block and (when shrinking) to a factor of the current count.
 * A resize answers rowcount 0.
 */
function changeShards(t: TableDef, shards: number): number {
  if (t.partitionedBy.length > 0) {
    t.numberOfShards = shards;
    return -1;
  }
  if (t.settings['blocks.write'] !== 'true') {
    throw new CrateError(500, 5000, `IllegalStateException[Table/Partition needs to be at a read-only state. Use 'ALTER table ... set ("blocks.write"=true)' and retry]`);
  }
  const current = t.numberOfShards;
  if (shards < current && current % shards !== 0) {
    throw sqlParse(`Requested number of shards: <${shards}> needs to be a factor of the current one: <${current}>`);
  }
  if (shards > current && shards % current !== 0) {
    throw sqlParse(`Requested number of shards: <${shards}> needs to be a multiple of the current one: <${current}>`);
  }
  t.numberOfShards = shards;
  return 0;
}
