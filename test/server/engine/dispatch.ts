/**
 * From a parsed statement to its prepared (translated) form, by statement kind.
 */
import { unsupportedFeature } from './errors.js';
import { ruleName, type Ctx, type ParsedStatement, type Token } from './parse.js';
import { rowcountStatement, type Prepared } from './run.js';
import type { Env } from './scope.js';
import { prepareOptimize, prepareResetGlobal, prepareSet, prepareSetGlobal, prepareShow, prepareTransaction } from './stmt-admin.js';
import { prepareAlterUser, prepareCreateUser, prepareDropUser, preparePrivileges } from './stmt-users.js';
import { prepareAlter, prepareAlterColumnDefault } from './stmt-alter.js';
import {
  prepareCreateAnalyzer, prepareCreateTable, prepareCreateTableAs, prepareDropAnalyzer, prepareCreateView, prepareDropTable, prepareDropView, prepareRefresh, prepareSchemaStatement,
} from './stmt-ddl.js';
import { prepareInsert } from './stmt-insert.js';
import { prepareDelete, prepareUpdate } from './stmt-modify.js';
import { prepareSelect } from './stmt-select.js';
import { prepareShowCreateTable } from './show-create.js';
import { prepareExplain } from './explain.js';
import { prepareCopyFrom } from './copy-from.js';
import { prepareCopyTo } from './copy-to.js';
import { prepareShowColumns, prepareShowSchemas, prepareShowTables, prepareShowTransaction } from './stmt-show.js';
import { prepareBegin, prepareClose, prepareCommit, prepareDeclare, prepareDiscard, prepareFetch } from './cursors.js';
import { prepareKill } from './stmt-kill.js';
import { prepareCreateRepository, prepareCreateSnapshot, prepareDropRepository, prepareDropSnapshot } from './stmt-snapshots.js';
import { prepareRestoreSnapshot } from './snapshot-restore.js';
import { prepareCreateFunction, prepareDropFunction } from './udfs.js';

type Preparer = (node: Ctx, env: Env, tokens: Token[]) => Prepared;

/**
 * A statement CrateDB has and this server does not (CREATE FUNCTION, publications, ...): named by its
 * first words as written, so that the test's author sees which one (the parse tree's text has no spaces).
 */
function notSupported(node: Ctx, tokens: Token[]): Error {
  const words = tokens.filter((t) => t.tokenIndex >= node.start.tokenIndex && t.channel === 0 && t.type > 0).slice(0, 3).map((t) => t.text);
  return unsupportedFeature(`Statement not supported by the test server: ${words.join(' ')}`);
}

const ok = (rowcount: number): Preparer => () => rowcountStatement(async () => rowcount);

/** A statement kind whose alternatives live one rule below (createStmt, dropStmt, alterStmt). */
const nested = (child: (node: Ctx) => Ctx, kinds: Record<string, Preparer>, fallback?: Preparer): Preparer => (node, env, tokens) => {
  const inner = child(node);
  const prepare = kinds[ruleName(inner)] ?? fallback;
  if (!prepare) throw notSupported(inner, tokens);
  return prepare(inner, env, tokens);
};

const STATEMENTS: Record<string, Preparer> = {
  DefaultContext: prepareSelect,
  InsertContext: prepareInsert,
  UpdateContext: prepareUpdate,
  DeleteContext: prepareDelete,
  RefreshTableContext: prepareRefresh,
  CreateContext: nested((n) => n.createStmt(), {
    CreateTableContext: prepareCreateTable,
    CreateTableAsContext: prepareCreateTableAs,
    CreateViewContext: prepareCreateView,
    CreateRoleContext: prepareCreateUser,
    CreateAnalyzerContext: prepareCreateAnalyzer,
    CreateRepositoryContext: prepareCreateRepository,
    CreateSnapshotContext: prepareCreateSnapshot,
    CreateFunctionContext: prepareCreateFunction,
  }),
  DropContext: nested((n) => n.dropStmt(), {
    DropTableContext: prepareDropTable,
    DropViewContext: prepareDropView,
    DropRoleContext: prepareDropUser,
    DropAnalyzerContext: prepareDropAnalyzer,
    DropRepositoryContext: prepareDropRepository,
    DropSnapshotContext: prepareDropSnapshot,
    DropFunctionContext: prepareDropFunction,
  }),
  AlterContext: nested((n) => n.alterStmt(), { AlterRoleSetContext: prepareAlterUser }, prepareAlter),
  ExplainContext: prepareExplain,
  CopyFromContext: prepareCopyFrom,
  CopyToContext: prepareCopyTo,
  ShowCreateTableContext: prepareShowCreateTable,
  ShowTablesContext: prepareShowTables,
  ShowSchemasContext: prepareShowSchemas,
  ShowColumnsContext: prepareShowColumns,
  ShowSessionParameterContext: prepareShow,
  ShowTransactionContext: prepareShowTransaction,
  SetContext: prepareSet,
  GrantPrivilegeContext: preparePrivileges,
  DenyPrivilegeContext: preparePrivileges,
  RevokePrivilegeContext: preparePrivileges,
  // No transactions: BEGIN/COMMIT and session characteristics are accepted and change nothing but the
  // session's transaction state, which cursors (cursors.ts) depend on.
  BeginContext: prepareBegin,
  StartTransactionContext: prepareBegin,
  CommitContext: prepareCommit,
  SetTransactionContext: prepareTransaction,
  SetTimeZoneContext: prepareTransaction,
  DiscardContext: prepareDiscard,
  KillContext: prepareKill,
  RestoreContext: prepareRestoreSnapshot,
  DeclareContext: prepareDeclare,
  FetchContext: prepareFetch,
  CloseContext: prepareClose,
  DeallocateContext: prepareTransaction,
  SetSessionAuthorizationContext: prepareTransaction,
  ResetSessionAuthorizationContext: prepareTransaction,
  OptimizeContext: prepareOptimize,
  AnalyzeContext: ok(1),
  ResetGlobalContext: prepareResetGlobal,
  SetGlobalContext: prepareSetGlobal,
};

export function prepareStatement(parsed: ParsedStatement, env: Env, tokens: Token[]): Prepared {
  if (parsed.kind === 'empty') return { returnsRows: true, maxParam: 0, run: async () => ({ kind: 'empty' }) };
  if (parsed.kind === 'extra') {
    const x = parsed.extra;
    if (x.kind === 'createSchema' || x.kind === 'dropSchema') return prepareSchemaStatement(x, env);
    if (x.kind === 'alterColumnDefault') return prepareAlterColumnDefault(x, env);
    throw unsupportedFeature('Unsupported statement');
  }
  const stmt = parsed.stmt;
  const prepare = STATEMENTS[ruleName(stmt)];
  if (!prepare) throw notSupported(stmt, tokens);
  return prepare(stmt, env, tokens);
}
