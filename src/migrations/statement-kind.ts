/**
 * What a statement's form says about running it on CrateDB, read from its visible tokens (upper-cased
 * keywords, no parse): whether it changes the SQL session of the pooled connection, and whether sending
 * it a second time is harmless. Both decide before anything is sent; neither needs the parser.
 */

/** The visible tokens of a statement, upper-cased, e.g. `['CREATE', 'TABLE', 'IF', 'NOT', 'EXISTS', ...]`. */
export type Words = readonly string[];

/**
 * Statements that change the connection's session: CrateDB keeps one session per keep-alive connection,
 * so a `SET search_path` (or a `RESET`, `DISCARD`) in a migration leaks into later statements sent over
 * that connection, and does not reach the others. `SET GLOBAL` / `RESET GLOBAL` change cluster settings,
 * not the session, and are allowed.
 */
export function sessionStatement(words: Words): boolean {
  const [first, second] = words;
  if (first === 'SET' || first === 'RESET') return second !== 'GLOBAL';
  return first === 'DISCARD';
}

/** What to write instead of a session statement, for the error message. */
export function sessionAdvice(words: Words): string {
  const about = words.slice(0, 3).join(' ');
  if (/SEARCH_PATH|SCHEMA/.test(about)) {
    return 'schema-qualify every name instead (`CREATE TABLE myschema.t ...`), or set `schema` in crate.config.yaml (sent as Default-Schema on every connection)';
  }
  return 'put the setting into each statement that needs it, or use SET GLOBAL for a cluster setting; a session setting would stick to one pooled connection and miss the others';
}

/**
 * Whether a statement can be sent again after it may already have run, judged by its form: `IF NOT
 * EXISTS` / `IF EXISTS`, `ON CONFLICT`, `CREATE OR REPLACE`, and DROP, REFRESH, OPTIMIZE (a DROP that
 * already ran answers "unknown", which the runner then reads as done). Anything else (a plain INSERT,
 * ALTER TABLE ADD COLUMN, RENAME, SWAP) would fail or apply twice.
 */
export function rerunnableByForm(words: Words): boolean {
  const first = words[0];
  if (first === 'DROP' || first === 'REFRESH' || first === 'OPTIMIZE') return true;
  if (first === 'CREATE' && words[1] === 'OR' && words[2] === 'REPLACE') return true;
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i];
    if (w === 'IF' && (words[i + 1] === 'EXISTS' || (words[i + 1] === 'NOT' && words[i + 2] === 'EXISTS'))) return true;
    if (w === 'ON' && words[i + 1] === 'CONFLICT') return true;
  }
  return false;
}

/** Statement kinds that read no rows, so a write before them needs no REFRESH: DDL that creates or
 * drops, refreshes, settings, privileges. */
const NO_SEARCH = new Set(['CREATE', 'DROP', 'REFRESH', 'OPTIMIZE', 'GRANT', 'REVOKE', 'DENY', 'SET', 'RESET', 'ANALYZE', 'KILL']);

/**
 * Whether the statement may search a table's rows, which in CrateDB sees only refreshed data: SELECT,
 * UPDATE/DELETE (a non-key WHERE is a search), INSERT ... SELECT, COPY TO, CREATE TABLE AS, ALTER TABLE
 * (its "is the table empty" checks count refreshed rows only). A plain INSERT ... VALUES does not.
 */
export function maySearch(words: Words): boolean {
  const first = words[0]!;
  if (first === 'INSERT') return words.includes('SELECT');
  if (first === 'COPY') return words.includes('TO');
  if (first === 'CREATE') return words.includes('AS') && words.includes('SELECT');
  return !NO_SEARCH.has(first);
}
