/**
 * From a parsed statement to its prepared (translated) form, by statement kind.
 */
import { unsupportedFeature } from './errors.js';
import { ruleName, type ParsedStatement, type Token } from './parse.js';
import type { Prepared } from './run.js';
import type { Env } from './scope.js';
import {
  prepareAlterUser, prepareCreateUser, prepareDropUser, preparePrivileges, prepareSet, prepareShow, prepareTransaction,
} from './stmt-admin.js';
import { prepareAlter, prepareAlterColumnDefault } from './stmt-alter.js';
import {
  prepareCreateTable, prepareCreateTableAs, prepareCreateView, prepareDropTable, prepareDropView, prepareRefresh, prepareSchemaStatement,
} from './stmt-ddl.js';
import { prepareInsert } from './stmt-insert.js';
import { prepareDelete, prepareUpdate } from './stmt-modify.js';
import { prepareSelect } from './stmt-select.js';
import { prepareShowCreateTable } from './show-create.js';
import { prepareShowColumns, prepareShowSchemas, prepareShowTables } from './stmt-show.js';

const ok = (rowcount: number): Prepared => ({ returnsRows: false, maxParam: 0, run: async () => ({ kind: 'count', rowcount }) });

export function prepareStatement(parsed: ParsedStatement, env: Env, tokens: Token[]): Prepared {
  if (parsed.kind === 'empty') return { returnsRows: true, maxParam: 0, run: async () => ({ kind: 'empty' }) };
  if (parsed.kind === 'extra') {
    const x = parsed.extra;
    if (x.kind === 'createSchema' || x.kind === 'dropSchema') return prepareSchemaStatement(x, env);
    if (x.kind === 'alterColumnDefault') return prepareAlterColumnDefault(x, env);
    throw unsupportedFeature('Unsupported statement');
  }
  const stmt = parsed.stmt;
  switch (ruleName(stmt)) {
    case 'DefaultContext':
      return prepareSelect(stmt, env, tokens);
    case 'InsertContext':
      return prepareInsert(stmt, env, tokens);
    case 'UpdateContext':
      return prepareUpdate(stmt, env, tokens);
    case 'DeleteContext':
      return prepareDelete(stmt, env, tokens);
    case 'RefreshTableContext':
      return prepareRefresh(stmt, env);
    case 'CreateContext': {
      const c = stmt.createStmt();
      switch (ruleName(c)) {
        case 'CreateTableContext':
          return prepareCreateTable(c, env);
        case 'CreateTableAsContext':
          return prepareCreateTableAs(c, env);
        case 'CreateViewContext':
          return prepareCreateView(c, env);
        case 'CreateRoleContext':
          return prepareCreateUser(c, env);
        default:
          throw unsupportedFeature(`${c.getText().slice(0, 40)} is not supported`);
      }
    }
    case 'DropContext': {
      const d = stmt.dropStmt();
      switch (ruleName(d)) {
        case 'DropTableContext':
          return prepareDropTable(d, env);
        case 'DropViewContext':
          return prepareDropView(d, env);
        case 'DropRoleContext':
          return prepareDropUser(d, env);
        default:
          throw unsupportedFeature(`${d.getText().slice(0, 40)} is not supported`);
      }
    }
    case 'AlterContext': {
      const a = stmt.alterStmt();
      if (ruleName(a) === 'AlterRoleSetContext') return prepareAlterUser(a, env);
      return prepareAlter(a, env);
    }
    case 'ShowCreateTableContext':
      return prepareShowCreateTable(stmt, env);
    case 'ShowTablesContext':
      return prepareShowTables(stmt, env);
    case 'ShowSchemasContext':
      return prepareShowSchemas(stmt, env);
    case 'ShowColumnsContext':
      return prepareShowColumns(stmt, env);
    case 'ShowSessionParameterContext':
      return prepareShow(stmt, env);
    case 'SetContext':
      return prepareSet(stmt);
    case 'GrantPrivilegeContext':
    case 'DenyPrivilegeContext':
    case 'RevokePrivilegeContext':
      return preparePrivileges(stmt, env);
    case 'BeginContext':
    case 'StartTransactionContext':
    case 'CommitContext':
    case 'SetTransactionContext':
    case 'SetTimeZoneContext':
    case 'DiscardContext':
    case 'DeallocateContext':
    case 'SetSessionAuthorizationContext':
    case 'ResetSessionAuthorizationContext':
      return prepareTransaction();
    case 'OptimizeContext':
    case 'AnalyzeContext':
    case 'ResetGlobalContext':
    case 'SetGlobalContext':
      return ok(1);
    default:
      throw unsupportedFeature(`Statement not supported by the test server: ${stmt.getText().slice(0, 60)}`);
  }
}
