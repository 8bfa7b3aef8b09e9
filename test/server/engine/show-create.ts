/**
 * SHOW CREATE TABLE, printed from the catalog the way CrateDB prints it (three-space indents, the
 * effective CLUSTERED BY and shard count, the non-default settings plus column_policy and replicas).
 */
import type { TableDef } from './catalog.js';
import { CrateError } from './errors.js';
import { columnText, quoteIdent, quoteIfNeeded } from './format.js';
import { qnameParts } from './parse.js';
import { checkPrivileges, onRelation } from './privileges.js';
import { tableSetting } from './settings.js';
import type { Prepared } from './run.js';
import { relationSchema, type Env } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { sqlTypeName, T } from './types.js';

export function showCreateTable(t: TableDef): string {
  const lines: string[] = [];
  for (const c of t.columns) {
    let line = `   ${quoteIdent(c.name)} ${sqlTypeName(c.type, '   ')}`;
    if (c.defaultExpr !== undefined) line += ` DEFAULT ${c.defaultExpr}`;
    if (c.generated !== undefined) line += ` GENERATED ALWAYS AS ${c.generated}`;
    if (c.notNull || t.primaryKey.includes(c.name)) line += ' NOT NULL';
    if (c.indexOff) line += ' INDEX OFF';
    if (c.fulltext !== undefined) line += ` INDEX USING FULLTEXT WITH (\n      analyzer = '${c.fulltext}'\n   )`;
    if (c.noColumnstore) line += ' STORAGE WITH (\n      columnstore = false\n   )';
    lines.push(line);
  }
  if (t.primaryKey.length > 0) lines.push(`   ${t.primaryKeyName !== undefined ? `CONSTRAINT ${quoteIfNeeded(t.primaryKeyName)} ` : ''}PRIMARY KEY (${[...(t.keyIncludesId ? ['_id'] : []), ...t.primaryKey].map(quoteIdent).join(', ')})`);
  for (const i of t.indexes) {
    const columns = i.columns.map((path) => columnText(path, { quote: true }));
    lines.push(`   INDEX ${quoteIdent(i.name)} USING FULLTEXT (${columns.join(', ')}) WITH (\n      analyzer = '${i.analyzer}'\n   )`);
  }
  for (const c of t.checks) lines.push(`   CONSTRAINT ${quoteIfNeeded(c.name)} CHECK(${c.expr})`);
  let out = `CREATE TABLE IF NOT EXISTS ${quoteIdent(t.schema)}.${quoteIdent(t.name)} (\n${lines.join(',\n')}\n)`;
  out += `\n${t.clusteredBy ? `CLUSTERED BY (${quoteIdent(t.clusteredBy)}) ` : 'CLUSTERED '}INTO ${t.numberOfShards} SHARDS`;
  if (t.partitionedBy.length > 0) out += `\nPARTITIONED BY (${t.partitionedBy.map(quoteIdent).join(', ')})`;
  const settings: Record<string, string> = { ...t.settings, column_policy: `'${t.columnPolicy}'`, number_of_replicas: `'${t.numberOfReplicas}'` };
  if (t.refreshInterval !== 1000) settings.refresh_interval = String(t.refreshInterval);
  for (const [k, v] of Object.entries(t.settings)) {
    // A setting back at its default (blocks.write lifted again) is not printed.
    if (String(tableSetting(k)?.default) === v) continue;
    settings[k] = /^-?\d+(\.\d+)?$|^(true|false)$/.test(v) ? v : `'${v}'`;
  }
  const keys = Object.keys(settings).sort();
  out += `\nWITH (\n${keys.map((k) => `   ${k.includes('.') ? quoteIdent(k) : k} = ${settings[k]}`).join(',\n')}\n)`;
  return out;
}

export function prepareShowCreateTable(node: Ctx, env: Env): Prepared {
  return {
    returnsRows: true,
    maxParam: 0,
    async run() {
      const parts = qnameParts(node.table().qname());
      const schema = relationSchema(parts, env);
      if (env.catalog.view(schema, parts[parts.length - 1]!)) {
        throw new CrateError(400, 4007, `OperationOnInaccessibleRelationException[The relation "${schema}.${parts[parts.length - 1]}" doesn't support or allow SHOW CREATE operations]`);
      }
      const t = existingTable(node.table().qname(), env);
      checkPrivileges(env.user, [onRelation(t, 'DQL')]);
      return { kind: 'rows', cols: [`SHOW CREATE TABLE ${t.schema}.${t.name}`], types: [T.text], oids: [25], rows: [[showCreateTable(t)]] };
    },
  };
}

type Ctx = import('./parse.js').Ctx;
