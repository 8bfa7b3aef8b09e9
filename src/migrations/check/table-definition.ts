import { closing, findSeq, isNameToken, isSeq, nameList, propertyList, readName, splitTopLevel, type NameRef, type Tok } from './tokens.js';

/**
 * What the check needs to know about a table, read from a `CREATE TABLE` statement: a migration's own, or
 * the one `SHOW CREATE TABLE` prints for a live table (CrateDB prints every column, key, index, CHECK and
 * setting there; information_schema has no CHECK expressions and no fulltext indexes).
 */
export interface TableDefinition {
  columns: ColumnDefinition[];
  primaryKey: string[];
  /** `CLUSTERED BY (col)`; null when not given (CrateDB then routes by `_id` or the key). */
  clusteredBy: string | null;
  partitionedBy: string[];
  /** `CLUSTERED INTO n SHARDS`; null when not given. */
  shards: number | null;
  /** Named indexes: `INDEX name USING FULLTEXT (cols)`. */
  indexes: Array<{ name: string; columns: string[] }>;
  /** CHECK constraints, column-level and table-level, with the columns their expression names. */
  checks: Array<{ name: string | null; columns: string[] }>;
  /** `WITH (...)` settings, keys as written without quotes. */
  settings: Record<string, string>;
}

/** Whether `WITH (...)` settings block writes: `blocks.write`, or `blocks.read_only`, which blocks them too. */
export function blocksWrites(settings: Readonly<Record<string, string>>): boolean {
  return ['blocks.write', 'blocks.read_only'].some((key) => settings[key]?.toLowerCase() === 'true');
}

export interface ColumnDefinition {
  name: string;
  /** The type as written (`TEXT`, `ARRAY(TEXT)`). */
  type: string;
  /** Columns a `GENERATED ALWAYS AS` / `AS` expression reads; null for a plain column. */
  generatedFrom: string[] | null;
  primaryKey: boolean;
  /** The analyzer of a column-level `INDEX USING FULLTEXT`; null without one. */
  fulltext: string | null;
  /** Columns named by the column's own CHECK constraints. */
  checks: Array<{ name: string | null; columns: string[] }>;
  /** Its type is or holds `DATE` (an array's element, an object's sub-column), which no table can store. */
  storesDate?: boolean;
}

export interface CreateTable {
  ref: NameRef;
  ifNotExists: boolean;
  /** null for `CREATE TABLE ... AS SELECT`: the columns come from the query. */
  definition: TableDefinition | null;
}

/** Reads `CREATE TABLE [IF NOT EXISTS] name (...) [clauses]`; null when the tokens are not one. */
export function parseCreateTable(toks: readonly Tok[]): CreateTable | null {
  if (!isSeq(toks, 0, 'CREATE', 'TABLE')) return null;
  const ifNotExists = isSeq(toks, 2, 'IF', 'NOT', 'EXISTS');
  const named = readName(toks, ifNotExists ? 5 : 2);
  if (!named) return null;
  const open = named.next;
  if (toks[open]?.upper === 'AS') return { ref: named.ref, ifNotExists, definition: null };
  if (toks[open]?.text !== '(') return null;
  const end = closing(toks, open);
  const elements = splitTopLevel(toks, open + 1, end);
  const def: TableDefinition = {
    columns: [],
    primaryKey: [],
    clusteredBy: null,
    partitionedBy: [],
    shards: null,
    indexes: [],
    checks: [],
    settings: {},
  };
  const tableChecks: Tok[][] = [];
  for (const element of elements) {
    if (isSeq(element, 0, 'PRIMARY', 'KEY')) def.primaryKey.push(...nameList(element, 2).names);
    else if (isSeq(element, 0, 'INDEX') && isNameToken(element[1]) && !isSeq(element, 1, 'USING')) {
      const paren = element.findIndex((t) => t.text === '(');
      def.indexes.push({ name: element[1].name, columns: paren < 0 ? [] : nameList(element, paren).names });
    } else if (isSeq(element, 0, 'CONSTRAINT') || isSeq(element, 0, 'CHECK')) tableChecks.push(element);
    else {
      const column = parseColumnDefinition(element);
      if (column) def.columns.push(column);
    }
  }
  const names = new Set(def.columns.map((c) => c.name));
  for (const column of def.columns) {
    if (column.primaryKey) def.primaryKey.push(column.name);
    if (column.generatedFrom) column.generatedFrom = column.generatedFrom.filter((n) => names.has(n));
    for (const check of column.checks) {
      check.columns = check.columns.filter((n) => names.has(n));
      def.checks.push(check);
    }
  }
  for (const element of tableChecks) def.checks.push(checkOf(element, names));
  readClauses(toks, end + 1, def);
  return { ref: named.ref, ifNotExists, definition: def };
}

/** One column element: `name type [constraints...]`. The names an expression reads are kept unfiltered
 * here; the table's column list filters them (a function name is never a column). */
export function parseColumnDefinition(element: readonly Tok[]): ColumnDefinition | null {
  if (!isNameToken(element[0])) return null;
  const name = element[0].name;
  let i = 1;
  // The type ends at the first column clause; its parentheses (VARCHAR(5), ARRAY(TEXT)) and an object's
  // sub-columns (`OBJECT(DYNAMIC) AS (color TEXT)`) are part of it.
  while (i < element.length) {
    const t = element[i]!;
    const objectColumns = t.upper === 'AS' && element[i + 1]?.text === '(' && element.slice(1, i).some((x) => x.upper === 'OBJECT');
    if (t.text === '(' || objectColumns) i = closing(element, objectColumns ? i + 1 : i) + 1;
    else if (COLUMN_CLAUSE.has(t.upper)) break;
    else i++;
  }
  const type = element
    .slice(1, i)
    .map((t) => t.text)
    .join(' ');
  const column: ColumnDefinition = { name, type, generatedFrom: null, primaryKey: false, fulltext: null, checks: [] };
  if (holdsDate(element.slice(1, i))) column.storesDate = true;
  while (i < element.length) {
    const t = element[i]!;
    if (isSeq(element, i, 'GENERATED', 'ALWAYS', 'AS') || t.upper === 'AS') {
      const from = t.upper === 'AS' ? i + 1 : i + 3;
      const to = nextClause(element, from);
      column.generatedFrom = referencedNames(element.slice(from, to));
      i = to;
    } else if (isSeq(element, i, 'PRIMARY', 'KEY')) {
      column.primaryKey = true;
      i += 2;
    } else if (isSeq(element, i, 'INDEX', 'USING', 'FULLTEXT')) {
      const withAt = isSeq(element, i + 3, 'WITH') && element[i + 4]?.text === '(' ? i + 4 : -1;
      const props = withAt < 0 ? {} : propertyList(element, withAt).props;
      column.fulltext = props.analyzer ?? 'standard';
      i = withAt < 0 ? i + 3 : closing(element, withAt) + 1;
    } else if (t.upper === 'CONSTRAINT' || t.upper === 'CHECK') {
      const paren = element.findIndex((x, k) => k > i && x.text === '(');
      if (paren < 0) break;
      column.checks.push(checkOf(element.slice(i, closing(element, paren) + 1), null));
      i = closing(element, paren) + 1;
    } else i = t.text === '(' ? closing(element, i) + 1 : i + 1;
  }
  return column;
}

/** A `DATE` in a type's tokens where a type stands: first (`DATE`), an array's element (`ARRAY(DATE)`), or
 * after a sub-column's name (`OBJECT AS (d DATE)`), never a sub-column named date (`OBJECT AS (date TEXT)`). */
function holdsDate(type: readonly Tok[]): boolean {
  return type.some((t, k) => {
    if (t.upper !== 'DATE') return false;
    const before = type[k - 1];
    if (before === undefined) return true;
    if (before.text === '(') return type[k - 2]?.upper === 'ARRAY';
    return isNameToken(before) && (type[k - 2]?.text === '(' || type[k - 2]?.text === ',');
  });
}

const COLUMN_CLAUSE = new Set(['GENERATED', 'AS', 'PRIMARY', 'NOT', 'NULL', 'DEFAULT', 'INDEX', 'CONSTRAINT', 'CHECK', 'STORAGE']);

function nextClause(element: readonly Tok[], from: number): number {
  let i = from;
  while (i < element.length && !COLUMN_CLAUSE.has(element[i]!.upper)) i = element[i]!.text === '(' ? closing(element, i) + 1 : i + 1;
  return i;
}

/** Names an expression may read: identifiers not followed by `(` (those are functions). */
function referencedNames(expr: readonly Tok[]): string[] {
  return [...new Set(expr.filter((t, k) => isNameToken(t) && (t.quoted || !KEYWORDS.has(t.upper)) && expr[k + 1]?.text !== '(').map((t) => t.name))];
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'NULL', 'TRUE', 'FALSE', 'IS', 'IN', 'LIKE', 'ILIKE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'BETWEEN', 'CAST', 'AS']);

/** `[CONSTRAINT name] CHECK (expr)`: its name and the columns the expression names. */
function checkOf(element: readonly Tok[], columns: ReadonlySet<string> | null): { name: string | null; columns: string[] } {
  const name = element[0]?.upper === 'CONSTRAINT' && isNameToken(element[1]) ? element[1].name : null;
  const at = findSeq(element, 0, 'CHECK');
  const refs = at < 0 ? [] : referencedNames(element.slice(at + 1));
  return { name, columns: columns ? refs.filter((n) => columns.has(n)) : refs };
}

/** CLUSTERED [BY (col)] [INTO n SHARDS], PARTITIONED BY (cols), WITH (...), in any order. */
function readClauses(toks: readonly Tok[], from: number, def: TableDefinition): void {
  let i = from;
  while (i < toks.length) {
    if (isSeq(toks, i, 'CLUSTERED', 'BY') && toks[i + 2]?.text === '(') {
      const list = nameList(toks, i + 2);
      def.clusteredBy = list.names[0] ?? null;
      i = list.next;
    } else if (isSeq(toks, i, 'INTO') && /^\d+$/.test(toks[i + 1]?.text ?? '')) {
      def.shards = Number(toks[i + 1]!.text);
      i += 3;
    } else if (isSeq(toks, i, 'PARTITIONED', 'BY') && toks[i + 2]?.text === '(') {
      const list = nameList(toks, i + 2);
      def.partitionedBy = list.names;
      i = list.next;
    } else if (isSeq(toks, i, 'WITH') && toks[i + 1]?.text === '(') {
      const list = propertyList(toks, i + 1);
      Object.assign(def.settings, list.props);
      i = list.next;
    } else i++;
  }
}
