/**
 * INSERT naming columns a dynamic table does not have yet (column_policy = 'dynamic'): the columns are
 * added first, typed from the first non-null value (integers as bigint, as CrateDB maps them).
 */
import type { ColumnDef, TableDef } from './catalog.js';
import { validColumnName } from './column-names.js';
import { constantOf } from './literals.js';
import { ruleName, type Ctx, type Token } from './parse.js';
import { checkPrivileges, onRelation } from './privileges.js';
import type { Prepared, RunContext } from './run.js';
import { Tx, type Env } from './scope.js';
import { prepareInsert } from './stmt-insert.js';
import { columnSql, pgTableName } from './storage.js';
import { T } from './types.js';
import { dynamicType, numberFields } from './values.js';

export function dynamicInsert(node: Ctx, env: Env, tokens: Token[], table: TableDef, names: string[], unknown: string[]): Prepared {
  const q = node.insertSource().query();
  const spec = q.queryNoWith().queryTerm().querySpec?.();
  const rows: Ctx[][] = spec && ruleName(spec) === 'ValuesRelationContext'
    ? (spec.values() as Ctx[]).map((v) => (v.expr?.() as Ctx[] | null) ?? (v.valueItem?.() as Ctx[]))
    : [];
  const tx = new Tx(env, tokens);
  const addColumns = async (ctx: RunContext, argRows: unknown[][]): Promise<Prepared> => {
    checkPrivileges(env.user, [onRelation(table, 'DML')]);
    for (const name of unknown) validColumnName(name, env.version);
    for (const name of unknown) {
      const k = names.indexOf(name);
      let sample: unknown = null;
      for (const args of argRows) {
        for (const row of rows) {
          const c = constantOf(row[k]);
          const v = c?.kind === 'value' ? c.value : c?.kind === 'param' ? args[tx.param(c.tokenIndex, c.explicit) - 1] : null;
          if (sample === null && v !== null && v !== undefined) sample = v;
        }
      }
      if (table.columns.some((c) => c.name === name)) continue;
      const type = sample === null ? T.text : dynamicType(sample);
      const col: ColumnDef = { name, type, notNull: false, position: table.nextPosition++ };
      numberFields(type, () => table.nextPosition++);
      await ctx.state.pg.exec(`ALTER TABLE ${pgTableName(table, 'live')} ADD COLUMN ${columnSql(col)}; ALTER TABLE ${pgTableName(table, 'shadow')} ADD COLUMN ${columnSql(col)};`);
      table.columns.push(col);
    }
    ctx.state.catalog.touch();
    return prepareInsert(node, env, tokens);
  };
  return {
    returnsRows: !!node.returning?.(),
    maxParam: maxPlaceholder(tokens),
    run: async (ctx, args) => (await addColumns(ctx, [args])).run(ctx, args),
    runBulk: async (ctx, rows2) => {
      const p = await addColumns(ctx, rows2);
      return p.runBulk!(ctx, rows2);
    },
  };
}

/** The highest placeholder number of a statement (`?` counted in order, `$n` by number). */
function maxPlaceholder(tokens: Token[]): number {
  let questions = 0;
  let highest = 0;
  tokens.forEach((t, i) => {
    if (t.channel !== 0) return;
    if (t.text === '?') questions++;
    if (t.text === '$' && /^\d+$/.test(tokens[i + 1]?.text ?? '')) highest = Math.max(highest, Number(tokens[i + 1]!.text));
  });
  return Math.max(questions, highest);
}
