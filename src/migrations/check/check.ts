import type { TableRef } from '../../client/types.js';
import { qualifiedName } from '../../client/identifiers.js';
import { loadSqlGrammar, type SqlGrammar } from '../sql-grammar.js';
import * as rules from './rules.js';
import type { Problem, TableState } from './rules.js';
import { classify, type Action } from './statement.js';
import { blocksWrites, parseCreateTable, type TableDefinition } from './table-definition.js';
import { tokensOf, type NameRef } from './tokens.js';
import { CHECK_CODES, type CheckMigration, type CheckOptions, type CheckResult, type CheckStatement, type Finding } from './types.js';

/** Schemas of CrateDB's own tables: read-only, never created or altered by a migration. */
const SYSTEM_SCHEMAS = new Set(['sys', 'information_schema', 'pg_catalog']);

/**
 * Checks pending migrations, in the order they would run, against CrateDB's rules and the tables in the
 * cluster (read once each through `readTable`, never written). What an earlier statement does (a CREATE
 * TABLE, an INSERT, a `blocks.write`) is carried to the later ones, across migrations. At the end of a
 * migration its written tables count as refreshed, because the runner refreshes them.
 */
export async function checkMigrations(options: CheckOptions): Promise<CheckResult> {
  const grammar = await loadSqlGrammar();
  const walk = new Walk(grammar, options);
  const checked: string[] = [];
  const notChecked: string[] = [];
  for (const migration of options.migrations) {
    if (migration.kind === 'code') {
      notChecked.push(migration.name);
      walk.codeSeen = true;
      continue;
    }
    checked.push(migration.name);
    for (const statement of migration.up) await walk.statement(migration, statement);
    walk.endOfMigration();
  }
  const findings = walk.findings;
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    checked,
    notChecked,
  };
}

class Walk {
  readonly findings: Finding[] = [];
  /** A code migration ran before: tables may exist that no SQL here creates. */
  codeSeen = false;
  /** Tables by `schema\0name`; null when known not to exist. */
  private readonly tables = new Map<string, TableState | null>();

  constructor(
    private readonly grammar: SqlGrammar,
    private readonly options: CheckOptions,
  ) {}

  async statement(migration: CheckMigration, statement: CheckStatement): Promise<void> {
    const report = (line: number, problem: Problem) => this.findings.push({ ...this.judged(problem), migration: migration.name, file: migration.file, line });
    if ('rebuild' in statement) {
      const { rebuild, line } = statement;
      if (!rebuild.keepBackup && migration.hasDown) report(line, rules.irreversible('a rebuild without keep_backup of', qualifiedName(rebuild.table)));
      const created = parseCreateTable(tokensOf(this.grammar, rebuild.definition));
      const before = await this.state({ schema: rebuild.table.schema, name: rebuild.table.table });
      this.set(rebuild.table, { ...this.fresh(rebuild.table, created?.definition ?? null), rows: before?.rows ?? 'unknown' });
      return;
    }
    const toks = tokensOf(this.grammar, statement.sql);
    const actions = classify(this.grammar, statement.sql, toks);
    const words = toks.map((t) => t.upper);
    for (const problem of rules.versionLimits(statement.sql, words, this.options.serverVersion ?? null)) report(statement.line, problem);
    if (this.options.qualifyNames) {
      const seen = new Set<string>();
      for (const ref of actions.flatMap(refsOf)) {
        if (ref.schema !== null || seen.has(ref.name)) continue;
        seen.add(ref.name);
        report(statement.line, rules.unqualified(ref.name, this.options.defaultSchema));
      }
    }
    if (this.options.refreshBeforeSearch !== false && searches(statement, actions)) {
      for (const ref of actions.flatMap(refsOf)) {
        const state = await this.state(ref);
        if (state) this.refreshed(state);
      }
    }
    for (const action of actions) {
      const line = statement.line + action.line - 1;
      for (const problem of await this.apply(action, migration)) report(line, problem);
    }
  }

  /** After a code migration, what the cluster said about a table may no longer hold when this statement
   * runs: a refusal that depends on the table's state is then a warning. */
  private judged(problem: Problem): Problem {
    if (!this.codeSeen || problem.severity !== 'error' || !STATE_DEPENDENT.has(problem.code)) return problem;
    return { ...problem, severity: 'warning', message: `${problem.message} (as the table is now; a code migration runs before this one and may change it)` };
  }

  endOfMigration(): void {
    for (const state of this.tables.values()) if (state) this.refreshed(state);
  }

  private async apply(action: Action, migration: CheckMigration): Promise<Problem[]> {
    switch (action.kind) {
      case 'create-table': {
        const existing = await this.state(action.ref);
        if (existing && action.ifNotExists) return [];
        if (existing) return [rules.tableExists(this.display(action.ref))];
        const display = this.display(action.ref);
        const refused = [...rules.tableName(display, action.ref.name), ...(action.definition ? [...rules.duplicateColumns(display, action.definition), ...rules.dateColumns(display, action.definition)] : [])];
        // A refused CREATE TABLE makes no table: later statements on it meet what is there now (nothing).
        if (refused.length === 0) this.set(this.ref(action.ref), this.fresh(this.ref(action.ref), action.definition));
        return action.definition === null ? [...refused, rules.createTableAs(display)] : refused;
      }
      case 'drop-table': {
        const problems = migration.hasDown ? [rules.irreversible('DROP TABLE', this.display(action.ref))] : [];
        this.set(this.ref(action.ref), null);
        return problems;
      }
      case 'session-setting':
        return [rules.sessionSetting(action.global, action.text)];
      case 'drop-analyzer':
        return [rules.dropAnalyzer(action.name)];
      case 'view': {
        // A view takes a name from tables (CREATE TABLE of it is refused) until it is dropped. CrateDB refuses
        // a view over a table's name and DROP VIEW of a table: those leave the table as it is.
        const current = await this.state(action.ref);
        if (current === null || current.definition === null) this.set(this.ref(action.ref), action.exists ? this.fresh(this.ref(action.ref), null) : null);
        return [];
      }
      case 'refresh':
        for (const ref of action.refs) {
          const state = await this.state(ref);
          if (state) this.refreshed(state);
        }
        return [];
      case 'search': {
        const problems: Problem[] = [];
        for (const ref of action.refs) {
          if (SYSTEM_SCHEMAS.has(ref.schema ?? '')) continue;
          const state = await this.state(ref);
          if (state === null) problems.push(...this.unknown(ref));
          else if (state.unrefreshed) problems.push(rules.searchAfterWrite(state));
        }
        return problems;
      }
      case 'swap': {
        const [source, target] = [await this.state(action.source), await this.state(action.target)];
        for (const moved of [source, target]) if (moved) moved.createSql = null;
        this.set(this.ref(action.target), source && { ...source, display: this.display(action.target) });
        this.set(this.ref(action.source), action.dropSource || !target ? null : { ...target, display: this.display(action.source) });
        return action.dropSource && migration.hasDown ? [rules.irreversible('ALTER CLUSTER SWAP TABLE ... WITH (drop_source = true) drops the old', this.display(action.target))] : [];
      }
      default:
        return this.applyToTable(action, migration);
    }
  }

  /** Actions on one existing table. */
  private async applyToTable(
    action: Exclude<Action, { kind: 'create-table' | 'drop-table' | 'session-setting' | 'refresh' | 'search' | 'swap' | 'drop-analyzer' | 'view' }>,
    migration: CheckMigration,
  ): Promise<Problem[]> {
    const table = await this.state(action.ref);
    if (table === null) return this.unknown(action.ref);
    const def = table.definition;
    const missing = columnOf(action);
    if (def && missing !== null && !table.openColumns && !def.columns.some((c) => c.name === missing)) return [rules.columnUnknown(table, missing)];
    // The live SHOW CREATE TABLE no longer describes a table a pending statement changes.
    if (CHANGES_DEFINITION.has(action.kind)) table.createSql = null;
    switch (action.kind) {
      case 'alter-type':
        return [rules.alterType(table, action.column, action.type)];
      case 'analyzer':
        return [rules.analyzer(table, action.column, action.analyzer, action.how)];
      case 'add-column': {
        if (action.ifNotExists) return [rules.addColumnIfNotExists(table, action.column.name)];
        if (def?.columns.some((c) => c.name === action.column.name)) return [rules.columnExists(table, action.column.name)];
        const problems = rules.addColumn(table, action.column);
        if (problems.every((p) => p.severity !== 'error')) def?.columns.push(action.column);
        return problems;
      }
      case 'drop-column': {
        const problems = rules.dropColumn(table, action.column);
        if (problems.length === 0 && def) dropColumn(def, action.column);
        return [...problems, ...(migration.hasDown && problems.length === 0 ? [rules.irreversible('DROP COLUMN', `${table.display}."${action.column}"`)] : [])];
      }
      case 'drop-constraint':
        if (def) def.checks = def.checks.filter((c) => c.name !== action.name);
        return [];
      case 'rename-column':
        if (def) renameColumn(def, action.from, action.to);
        return [];
      case 'rename-table': {
        const ref = this.ref(action.ref);
        // CrateDB renames within the table's schema only (11-ddl-limits: into another one is refused).
        if (action.toSchema !== null && action.toSchema !== ref.schema) return [];
        const to = { schema: ref.schema, table: action.to };
        this.set(ref, null);
        this.set(to, { ...table, display: qualifiedName(to) });
        return [];
      }
      case 'set': {
        // On a partitioned table, the table's number_of_shards is that of partitions still to come: only a
        // partition's own (ALTER TABLE ... PARTITION (...) SET) is a resize of existing shards.
        const resize = 'number_of_shards' in action.props && (action.partition || (def?.partitionedBy.length ?? 0) === 0);
        const problems = resize ? rules.setShards(table, action.props.number_of_shards!) : [];
        if ('blocks.write' in action.props) table.blocksWrite = action.props['blocks.write']!.toLowerCase() === 'true';
        // A read-only table blocks writes too; an error needs certainty, so it counts as blocked.
        if (action.props['blocks.read_only']?.toLowerCase() === 'true') table.blocksWrite = true;
        if (def && !action.partition && action.props.column_policy !== undefined) def.settings.column_policy = action.props.column_policy;
        return problems;
      }
      case 'reset':
        if (action.keys.includes('blocks.write')) table.blocksWrite = false;
        return [];
      case 'write':
        table.unrefreshed = true;
        if (action.inserts === true) table.pendingRows = true;
        if (action.inserts === 'maybe') table.maybeRows = true;
        // Rows deleted: whether any are left is not known (a WHERE, or all of them), so no "has rows" error.
        if (action.deletes && table.rows === 'rows') table.rows = 'unknown';
        if (!action.deletes && def?.settings.column_policy?.toLowerCase() === 'dynamic') table.openColumns = true;
        return [];
    }
  }

  private unknown(ref: NameRef): Problem[] {
    return this.codeSeen ? [] : [rules.unknownTable(this.display(ref))];
  }

  private refreshed(state: TableState): void {
    if (state.pendingRows) state.rows = 'rows';
    else if (state.maybeRows && state.rows === 'empty') state.rows = 'unknown';
    state.unrefreshed = false;
    state.pendingRows = false;
    state.maybeRows = false;
  }

  private fresh(ref: TableRef, definition: TableDefinition | null): TableState {
    const blocksWrite = definition !== null && blocksWrites(definition.settings);
    return { display: qualifiedName(ref), definition, rows: definition ? 'empty' : 'unknown', unrefreshed: false, pendingRows: false, maybeRows: false, blocksWrite, openColumns: false, createSql: null };
  }

  private ref(ref: NameRef): TableRef {
    return { schema: ref.schema ?? this.options.defaultSchema, table: ref.name };
  }

  private display(ref: NameRef): string {
    return qualifiedName(this.ref(ref));
  }

  private key(ref: TableRef): string {
    return `${ref.schema}\u0000${ref.table}`;
  }

  private set(ref: TableRef, state: TableState | null): void {
    this.tables.set(this.key(ref), state);
  }

  /** The table as known so far; read from the cluster on first use. */
  private async state(name: NameRef): Promise<TableState | null> {
    const ref = this.ref(name);
    const key = this.key(ref);
    if (this.tables.has(key)) return this.tables.get(key)!;
    const live = await this.options.readTable(ref);
    const state: TableState | null = live && {
      display: qualifiedName(ref),
      definition: live.definition,
      rows: live.rows > 0 ? 'rows' : 'empty',
      unrefreshed: false,
      pendingRows: false,
      maybeRows: false,
      blocksWrite: live.blocksWrite,
      openColumns: false,
      createSql: live.createSql,
    };
    if (state?.definition && live?.shards != null) state.definition.shards = live.shards;
    this.tables.set(key, state);
    return state;
  }
}

/** The column an action needs to exist: CrateDB answers 4043 to a DROP COLUMN (without IF EXISTS) of a
 * missing one (02-ddl). */
function columnOf(action: Action): string | null {
  return action.kind === 'drop-column' && !action.ifExists ? action.column : null;
}

/** Refusals that depend on what the table is when the statement runs, not on the statement alone. */
const STATE_DEPENDENT = new Set<string>([
  CHECK_CODES.addGenerated,
  CHECK_CODES.addPrimaryKey,
  CHECK_CODES.dropColumnUsed,
  CHECK_CODES.shardsWriteBlock,
  CHECK_CODES.shardsFactor,
  CHECK_CODES.columnExists,
  CHECK_CODES.columnUnknown,
  CHECK_CODES.tableExists,
]);

/** Kinds of action that change a table's definition (those refused leave it unchanged, but are refused). */
const CHANGES_DEFINITION = new Set<Action['kind']>(['add-column', 'drop-column', 'drop-constraint', 'rename-column', 'rename-table', 'set', 'reset']);

/** Kinds of action that read no rows. */
const NO_SEARCH = new Set<Action['kind']>(['write', 'create-table', 'drop-table', 'refresh', 'session-setting', 'drop-analyzer', 'view']);

/** Whether the runner treats the statement as a search (the parser's `searches`, when it says), which makes
 * it refresh the tables written earlier in the migration first. */
function searches(statement: CheckStatement, actions: readonly Action[]): boolean {
  if ('searches' in statement && statement.searches !== undefined) return statement.searches;
  return actions.some((a) => !NO_SEARCH.has(a.kind));
}

function refsOf(action: Action): NameRef[] {
  if ('refs' in action) return action.refs;
  if (action.kind === 'swap') return [action.source, action.target];
  if ('ref' in action) return [action.ref];
  return [];
}

function dropColumn(def: TableDefinition, column: string): void {
  def.columns = def.columns.filter((c) => c.name !== column);
  def.checks = def.checks.filter((c) => !c.columns.includes(column));
}

function renameColumn(def: TableDefinition, from: string, to: string): void {
  const swap = (names: string[]) => names.map((n) => (n === from ? to : n));
  for (const c of def.columns) {
    if (c.name === from) c.name = to;
    if (c.generatedFrom) c.generatedFrom = swap(c.generatedFrom);
  }
  def.primaryKey = swap(def.primaryKey);
  for (const i of def.indexes) i.columns = swap(i.columns);
  for (const c of def.checks) c.columns = swap(c.columns);
  if (def.clusteredBy === from) def.clusteredBy = to;
  def.partitionedBy = swap(def.partitionedBy);
}
