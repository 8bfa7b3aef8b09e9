/**
 * Session and administration statements: SET / RESET (search_path moves the session's schema),
 * BEGIN / COMMIT (accepted, no transactions), SET / RESET GLOBAL, OPTIMIZE. Users and privileges are
 * stmt-users.ts'.
 */
import { identName, qnameParts, stringValue, type Ctx } from './parse.js';
import { rowcountStatement, type Prepared } from './run.js';
import type { Env } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { userRequired } from './stmt-users.js';
import { T } from './types.js';
import { allSettings, setSetting, showSetting } from './session-settings.js';
import { checkClusterSetting } from './settings.js';
import { resetClusterSetting, setClusterSetting } from './cluster-settings.js';
import { constantOf } from './literals.js';

/**
 * SET [SESSION] name TO/= value: a session setting (session-settings.ts); search_path also moves the
 * schema. SET LOCAL changes nothing: CrateDB's planner drops it, as a change for a transaction it does
 * not have would end with the statement.
 */
export function prepareSet(node: Ctx): Prepared {
  if (node.LOCAL?.()) return rowcountStatement(async () => 0);
  const name = qnameParts(node.qname()).join('.');
  const exprs = (node.setExpr?.() as Ctx[] | null) ?? [];
  const values = node.DEFAULT?.() ? [] : exprs.map((e) => (e.stringLiteral?.() ? stringValue(e.getText()) : e.ident?.() ? identName(e.ident()) : e.getText()));
  return rowcountStatement(async (ctx) => {
    const stored = setSetting(ctx.session, name, values);
    if (name === 'search_path') {
      const path = stored?.split(',').map((s) => s.trim()) ?? ['doc'];
      ctx.session.schema = path[0]!;
      ctx.session.searchPath = path;
    }
    return 0;
  });
}

/** SHOW name | ALL, which CrateDB answers from pg_catalog.pg_settings. */
export function prepareShow(node: Ctx, env: Env): Prepared {
  const qname = node.qname?.() as Ctx | null;
  const name = qname ? qnameParts(qname).join('.') : undefined;
  if (name === undefined) {
    return {
      returnsRows: true,
      maxParam: 0,
      run: async (ctx) => ({ kind: 'rows', cols: ['name', 'setting', 'description'], types: [T.text, T.text, T.text], oids: [25, 25, 25], rows: allSettings(ctx.session) }),
    };
  }
  // 5.10 names the column `setting`, 6.4 after the parameter.
  const col = env.version === '5.10' ? 'setting' : name;
  return {
    returnsRows: true,
    maxParam: 0,
    run: async (ctx) => ({ kind: 'rows', cols: [col], types: [T.text], oids: [25], rows: [[showSetting(ctx.session, name)]] }),
  };
}

export function prepareTransaction(): Prepared {
  return rowcountStatement(async () => 0);
}

/** SET GLOBAL [PERSISTENT | TRANSIENT] name = value, ...: known cluster settings only, kept for sys.cluster. */
export function prepareSetGlobal(node: Ctx, env: Env): Prepared {
  let placeholders = 0;
  const assignments = ((node.setGlobalAssignment() as Ctx[] | null) ?? []).map((a) => {
    const c = constantOf(a.value);
    // A parameter: `$n`, or the next `?`; a bare word (`= primaries`) is its text, as CrateDB reads it.
    const param = c?.kind === 'param' ? (c.explicit !== undefined ? c.explicit - 1 : placeholders++) : undefined;
    const literal = c?.kind === 'value' ? c.value : identText(a.value);
    return { name: settingName(a.name), param, literal };
  });
  const maxParam = Math.max(0, ...assignments.map((a) => (a.param === undefined ? 0 : a.param + 1)));
  return {
    returnsRows: false,
    maxParam,
    run: async (ctx, args) => {
      userRequired(env);
      for (const a of assignments) checkClusterSetting(a.name);
      for (const a of assignments) setClusterSetting(ctx.state.catalog, a.name, a.param === undefined ? a.literal : args[a.param]);
      ctx.state.catalog.touch();
      return { kind: 'count', rowcount: 1 };
    },
  };
}

/** RESET GLOBAL name, ...: back to the defaults, a group prefix (`stats`) resetting all below it. */
export function prepareResetGlobal(node: Ctx, env: Env): Prepared {
  const names = ((node.primaryExpression() as Ctx[] | null) ?? []).map(settingName);
  return rowcountStatement(async (ctx) => {
    userRequired(env);
    for (const n of names) checkClusterSetting(n);
    for (const n of names) resetClusterSetting(ctx.state.catalog, n);
    ctx.state.catalog.touch();
    return 1;
  });
}

const settingName = (n: Ctx): string => n.getText().replace(/"/g, '');
const identText = (n: Ctx): string => n.getText().replace(/^"(.*)"$/, '$1');

/** OPTIMIZE TABLE t, ...: the tables must exist; there is nothing to merge in PG. */
export function prepareOptimize(node: Ctx, env: Env): Prepared {
  const refs = node.tableWithPartitions().tableWithPartition() as Ctx[];
  return rowcountStatement(async () => {
    for (const r of refs) existingTable(r.qname(), env);
    return 1;
  });
}
