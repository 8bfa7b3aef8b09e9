import type { SqlGrammar } from '../sql-grammar.js';
import { parseColumnDefinition, parseCreateTable, type ColumnDefinition, type TableDefinition } from './table-definition.js';
import { closing, isNameToken, isSeq, nameList, propertyList, readName, splitTopLevel, type NameRef, type Tok } from './tokens.js';

/** What one statement does to the tables, as far as CrateDB's rules care. `line` is 1-based within the
 * statement (the line of the clause that does it). */
export type Action =
  | { kind: 'create-table'; ref: NameRef; ifNotExists: boolean; definition: TableDefinition | null; line: number }
  | { kind: 'drop-table'; ref: NameRef; ifExists: boolean; line: number }
  /** `type`: the new type as written. */
  | { kind: 'alter-type'; ref: NameRef; column: string; type: string; line: number }
  /** `analyzer`: the one asked for (`standard` when none is named). */
  | { kind: 'analyzer'; ref: NameRef; column: string | null; analyzer: string; how: 'alter-column' | 'add-index' | 'create-index'; line: number }
  | { kind: 'add-column'; ref: NameRef; column: ColumnDefinition; ifNotExists: boolean; line: number }
  | { kind: 'drop-column'; ref: NameRef; column: string; ifExists: boolean; line: number }
  | { kind: 'drop-constraint'; ref: NameRef; name: string; line: number }
  | { kind: 'rename-column'; ref: NameRef; from: string; to: string; line: number }
  /** `toSchema`: the schema written before the new name (`RENAME TO s.name`), else null. */
  | { kind: 'rename-table'; ref: NameRef; to: string; toSchema: string | null; line: number }
  | { kind: 'set'; ref: NameRef; props: Record<string, string>; partition: boolean; line: number }
  | { kind: 'reset'; ref: NameRef; keys: string[]; line: number }
  | { kind: 'swap'; source: NameRef; target: NameRef; dropSource: boolean; line: number }
  | { kind: 'session-setting'; global: boolean; text: string; line: number }
  /** `inserts`: the write adds rows (`INSERT ... VALUES`); `maybe` when it may add none (`INSERT ... SELECT`
   * of an empty result, `COPY FROM` of no file); false when it changes or removes rows. `deletes`: it may
   * remove rows (DELETE). */
  | { kind: 'write'; ref: NameRef; inserts: boolean | 'maybe'; deletes?: boolean; line: number }
  | { kind: 'search'; refs: NameRef[]; line: number }
  | { kind: 'refresh'; refs: NameRef[]; line: number }
  | { kind: 'drop-analyzer'; name: string; line: number }
  /** `CREATE [OR REPLACE] VIEW` (`exists`: true) or `DROP VIEW` (false): a name a table cannot take. */
  | { kind: 'view'; ref: NameRef; exists: boolean; line: number };

/** Reads a statement's actions from its tokens (`tokensOf`). Statements the check has no rule for give none. */
export function classify(grammar: SqlGrammar, sql: string, toks: Tok[]): Action[] {
  const first = toks[0]?.upper ?? '';
  const line = toks[0]?.line ?? 1;
  switch (first) {
    case 'CREATE':
      return createActions(toks);
    case 'DROP':
      return dropActions(toks);
    case 'ALTER':
      return isSeq(toks, 0, 'ALTER', 'CLUSTER', 'SWAP', 'TABLE') ? swapActions(toks) : alterTableActions(toks);
    case 'SET':
    case 'RESET':
      return [{ kind: 'session-setting', global: isSeq(toks, 1, 'GLOBAL'), text: toks.slice(0, 4).map((t) => t.text).join(' '), line }];
    case 'REFRESH': {
      const at = isSeq(toks, 1, 'TABLE') ? 2 : 1;
      return [{ kind: 'refresh', refs: splitTopLevel(toks, at, toks.length).flatMap((part) => readName(part, 0)?.ref ?? []), line }];
    }
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
      return dataActions(grammar, toks, sql);
    case 'COPY': {
      const named = readName(toks, 1);
      if (!named) return [];
      const from = toks.slice(named.next).some((t) => t.upper === 'FROM');
      return [from ? { kind: 'write', ref: named.ref, inserts: 'maybe', line } : { kind: 'search', refs: [named.ref], line }];
    }
    case 'SELECT':
    case 'WITH':
      return [{ kind: 'search', refs: tablesOf(grammar, toks, sql), line }];
    default:
      return [];
  }
}

function createActions(toks: Tok[]): Action[] {
  const line = toks[0]!.line;
  const created = parseCreateTable(toks);
  if (created) return [{ kind: 'create-table', ...created, line }];
  const view = isSeq(toks, 1, 'VIEW') ? 2 : isSeq(toks, 1, 'OR', 'REPLACE', 'VIEW') ? 4 : -1;
  const named = view < 0 ? null : readName(toks, view);
  if (named) return [{ kind: 'view', ref: named.ref, exists: true, line }];
  // CREATE INDEX does not exist in CrateDB (a parse error); its intent is a fulltext index on a column.
  if (isSeq(toks, 1, 'INDEX')) {
    const on = toks.findIndex((t) => t.upper === 'ON');
    const named = on < 0 ? null : readName(toks, on + 1);
    const paren = toks.findIndex((t, k) => k > on && t.text === '(');
    if (named) return [{ kind: 'analyzer', ref: named.ref, column: paren < 0 ? null : nameList(toks, paren).names[0] ?? null, analyzer: analyzerOf(toks), how: 'create-index', line }];
  }
  return [];
}

function dropActions(toks: Tok[]): Action[] {
  if (isSeq(toks, 1, 'ANALYZER') && isNameToken(toks[2])) return [{ kind: 'drop-analyzer', name: toks[2].name, line: toks[0]!.line }];
  if (isSeq(toks, 1, 'VIEW')) {
    const from = isSeq(toks, 2, 'IF', 'EXISTS') ? 4 : 2;
    return splitTopLevel(toks, from, toks.length).flatMap((part) => {
      const named = readName(part, 0);
      return named ? [{ kind: 'view' as const, ref: named.ref, exists: false, line: toks[0]!.line }] : [];
    });
  }
  if (!isSeq(toks, 1, 'TABLE')) return [];
  const ifExists = isSeq(toks, 2, 'IF', 'EXISTS');
  const named = readName(toks, ifExists ? 4 : 2);
  return named ? [{ kind: 'drop-table', ref: named.ref, ifExists, line: toks[0]!.line }] : [];
}

function swapActions(toks: Tok[]): Action[] {
  const source = readName(toks, 4);
  const target = source && toks[source.next]?.upper === 'TO' ? readName(toks, source.next + 1) : null;
  if (!source || !target) return [];
  const rest = toks.slice(target.next);
  const dropSource = rest.some((t, k) => t.name === 'drop_source' && rest[k + 2]?.upper === 'TRUE');
  return [{ kind: 'swap', source: source.ref, target: target.ref, dropSource, line: toks[0]!.line }];
}

/** `ALTER TABLE [ONLY] name [PARTITION (...)] clause [, clause ...]`. */
function alterTableActions(toks: Tok[]): Action[] {
  if (!isSeq(toks, 1, 'TABLE')) return [];
  const named = readName(toks, isSeq(toks, 2, 'ONLY') ? 3 : 2);
  if (!named) return [];
  const ref = named.ref;
  let at = named.next;
  const partition = isSeq(toks, at, 'PARTITION') && toks[at + 1]?.text === '(';
  if (partition) at = closing(toks, at + 1) + 1;
  return splitTopLevel(toks, at, toks.length).flatMap((clause) => alterClause(ref, clause, partition));
}

function alterClause(ref: NameRef, c: Tok[], partition: boolean): Action[] {
  const line = c[0]?.line ?? 1;
  const word = c[0]?.upper;
  if (word === 'ADD') {
    if (isSeq(c, 1, 'INDEX')) {
      const paren = c.findIndex((t) => t.text === '(');
      return [{ kind: 'analyzer', ref, column: paren < 0 ? null : nameList(c, paren).names[0] ?? null, analyzer: analyzerOf(c), how: 'add-index', line }];
    }
    const at = isSeq(c, 1, 'COLUMN') ? 2 : 1;
    const ifNotExists = isSeq(c, at, 'IF', 'NOT', 'EXISTS');
    const name = ifNotExists ? at + 3 : at;
    // A sub-column of an object (`o['x']`) is not a column of the table: no rule here is about those.
    if (c[name + 1]?.text === '[') return [];
    const column = isSeq(c, 1, 'CONSTRAINT') ? null : parseColumnDefinition(c.slice(name));
    return column ? [{ kind: 'add-column', ref, column, ifNotExists, line }] : [];
  }
  if (word === 'DROP') {
    if (isSeq(c, 1, 'CONSTRAINT') && isNameToken(c[2])) return [{ kind: 'drop-constraint', ref, name: c[2].name, line }];
    let at = isSeq(c, 1, 'COLUMN') ? 2 : 1;
    const ifExists = isSeq(c, at, 'IF', 'EXISTS');
    if (ifExists) at += 2;
    if (c[at + 1]?.text === '[') return [];
    return isNameToken(c[at]) ? [{ kind: 'drop-column', ref, column: c[at].name, ifExists, line }] : [];
  }
  if (word === 'ALTER') {
    const at = isSeq(c, 1, 'COLUMN') ? 2 : 1;
    if (!isNameToken(c[at])) return [];
    const column = c[at].name;
    // After the column's name: a column may be named type (`ALTER COLUMN type SET DEFAULT ...`).
    const type = c.findIndex((t, k) => k > at && t.upper === 'TYPE');
    if (type >= 0) return [{ kind: 'alter-type', ref, column, type: sqlText(c.slice(type + 1)), line }];
    const set = c.findIndex((t, k) => t.upper === 'SET' && c[k + 1]?.text === '(');
    const props = set < 0 ? {} : propertyList(c, set + 1).props;
    if (props.analyzer !== undefined) return [{ kind: 'analyzer', ref, column, analyzer: props.analyzer, how: 'alter-column', line }];
    return [];
  }
  if (isSeq(c, 0, 'RENAME', 'COLUMN') && isNameToken(c[2]) && c[3]?.upper === 'TO' && isNameToken(c[4])) {
    return [{ kind: 'rename-column', ref, from: c[2].name, to: c[4].name, line }];
  }
  if (isSeq(c, 0, 'RENAME', 'TO')) {
    const to = readName(c, 2);
    return to ? [{ kind: 'rename-table', ref, to: to.ref.name, toSchema: to.ref.schema, line }] : [];
  }
  if (word === 'SET' && c[1]?.text === '(') return [{ kind: 'set', ref, props: propertyList(c, 1).props, partition, line }];
  if (word === 'RESET' && c[1]?.text === '(') return [{ kind: 'reset', ref, keys: nameList(c, 1).names, line }];
  return [];
}

/** The analyzer of a `WITH (analyzer = ...)` among the tokens; `standard`, CrateDB's default, without one. */
function analyzerOf(toks: readonly Tok[]): string {
  const at = toks.findIndex((t, k) => t.upper === 'WITH' && toks[k + 1]?.text === '(');
  return (at < 0 ? undefined : propertyList(toks, at + 1).props.analyzer) ?? 'standard';
}

/** Tokens joined back into SQL: `VARCHAR(5)`, `ARRAY(TEXT)`, `TIMESTAMP WITH TIME ZONE`. */
function sqlText(toks: readonly Tok[]): string {
  return toks
    .map((t) => t.text)
    .join(' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)/g, ')')
    .replace(/\s*,\s*/g, ', ');
}

/** INSERT/UPDATE/DELETE: a write to the target; a search when the statement finds rows by a condition or
 * reads another table (UPDATE/DELETE ... WHERE and INSERT ... SELECT see refreshed rows only). */
function dataActions(grammar: SqlGrammar, toks: Tok[], sql: string): Action[] {
  const line = toks[0]!.line;
  const insert = toks[0]!.upper === 'INSERT';
  // The parser (~2 ms a statement) only when the statement reads other tables: INSERT INTO t, UPDATE t,
  // DELETE FROM t name their target right there.
  const direct = readName(toks, insert || toks[0]!.upper === 'DELETE' ? 2 : 1);
  const selects = toks.some((t) => t.upper === 'SELECT');
  const tables = selects || !direct ? tablesOf(grammar, toks, sql) : [direct.ref];
  const target = tables[0];
  if (!target) return [];
  const inserts = insert && selects ? 'maybe' : insert;
  const actions: Action[] = [{ kind: 'write', ref: target, inserts, ...(toks[0]!.upper === 'DELETE' ? { deletes: true } : {}), line }];
  const reads = insert ? tables.slice(1) : toks.some((t) => t.upper === 'WHERE') ? tables : tables.slice(1);
  if (reads.length > 0) actions.unshift({ kind: 'search', refs: reads, line });
  return actions;
}

/** The tables a query or DML statement names, from CrateDB's parser; unquoted names folded to lower case
 * as CrateDB does (the parser strips quotes without saying whether there were any). */
function tablesOf(grammar: SqlGrammar, toks: Tok[], sql: string): NameRef[] {
  const quoted = new Set(toks.filter((t) => t.quoted).map((t) => t.name));
  const fold = (name: string) => (quoted.has(name) ? name : name.toLowerCase());
  return grammar.describe(sql).tables.map((t) => ({ schema: t.schema === null ? null : fold(t.schema), name: fold(t.name) }));
}
