import { createHash } from 'node:crypto';
import type { TableRef } from '../client/types.js';
import { FileFormatError } from '../errors.js';
import { loadSqlGrammar, type SqlGrammar, type Token } from './sql-grammar.js';
import { parseRebuildDirective, parseRevertDirective, REBUILD_MARKER } from './rebuild/directive.js';
import type { RebuildSpec } from './rebuild/spec.js';
import { maySearch, rerunnableByForm, sessionAdvice, sessionStatement } from './statement-kind.js';

/**
 * The SQL migration file format (dbmate style):
 *
 * ```sql
 * -- Optional comments before the first marker.
 * -- migrate:up
 * CREATE TABLE IF NOT EXISTS books (id TEXT PRIMARY KEY);
 * INSERT INTO books (id) VALUES ('1');
 *
 * -- migrate:down
 * DROP TABLE IF EXISTS books;
 * ```
 *
 * - A marker is a line comment alone on its line: `-- migrate:up`, `-- migrate:down`. Any other
 *   `-- migrate:...` comment is an error (a typo must not silently merge sections).
 * - Exactly one up marker, then at most one down marker. Only comments may precede the up marker.
 * - No down marker: the migration cannot be reverted (`down` refuses it). An empty down section is a
 *   deliberate no-op down.
 * - Statements end with `;` (the last one may omit it). `;` inside strings, quoted identifiers,
 *   dollar-quoted bodies and comments does not split. Comment-only parts send nothing.
 * - `${name}` is replaced by `placeholders.name` from the config, except inside comments and
 *   dollar-quoted bodies (`$$...$$`, where UDF code may use `${...}` itself); an unknown name is an error.
 * - `-- migrate:rerunnable` (alone on its line, anywhere) says every statement of the file may be sent
 *   again: after a crash, the statement that was in flight is re-run without asking.
 * - Session statements (`SET`, `RESET`, `DISCARD`; not `SET GLOBAL`) are refused: CrateDB keeps one
 *   session per pooled connection, so they would leak into later migrations.
 * - `-- migrate:rebuild <table> [options]` and `-- migrate:rebuild-map ...` lines before a `CREATE TABLE`
 *   make that statement a table rebuild; `-- migrate:rebuild-revert <table>` is the reverse swap
 *   (docs/rebuild.md).
 */
export interface SqlMigration {
  up: SqlStatement[];
  /** `null` when the file has no `-- migrate:down` marker: the migration cannot be reverted. */
  down: SqlStatement[] | null;
  /** The file has `-- migrate:rerunnable`. */
  rerunnable: boolean;
}

/** One statement, ready to send. */
export interface SqlStatement {
  /** The statement text without its `;`, placeholders replaced. */
  sql: string;
  /** 1-based line of its first token in the file. */
  line: number;
  /** First keyword, upper case. */
  type: string;
  /** Tables whose rows this statement writes (INSERT/UPDATE/DELETE/COPY FROM targets): refreshed before
   * a later search of them and at the end of the migration. */
  writes: TableRef[];
  /** It may search rows (see `maySearch`): tables written earlier in the migration are refreshed first. */
  searches: boolean;
  /** Safe to send again after it may have run, by its form or the file's `-- migrate:rerunnable`. */
  rerunnable: boolean;
  /** SHA-256 (hex, 16 digits) of `sql`: a resumed migration checks that the statements it skips are unchanged. */
  hash: string;
  /** A `-- migrate:rebuild` step (docs/rebuild.md): `sql` is the new definition, run as a table rebuild. */
  rebuild?: RebuildSpec;
  /** A `-- migrate:rebuild-revert` step: the reverse swap of this table's kept backup. */
  revert?: TableRef;
}

export interface ParseSqlOptions {
  /** The file as shown in messages (`migrations/001_create_books.sql`). */
  file: string;
  placeholders: Readonly<Record<string, string>>;
  /** Schema of unqualified table names (the config's `schema`, sent as `Default-Schema`). */
  defaultSchema: string;
}

const MARKER = /^--\s*migrate:(\S*)(.*)$/i;
const PLACEHOLDER = /\$\{([^}\s]*)\}/g;

/** Parses a SQL migration file's text into up and down statements. Throws `FileFormatError`. */
export async function parseSqlMigration(text: string, options: ParseSqlOptions): Promise<SqlMigration> {
  const grammar = await loadSqlGrammar();
  const sections = splitSections(grammar, text, options.file);
  const build = (items: Item[]) => items.map((item) => toStep(grammar, item, options, sections.rerunnable));
  return { up: build(sections.up), down: sections.down === null ? null : build(sections.down), rerunnable: sections.rerunnable };
}

/** One step of a section as split: a statement's tokens (with the rebuild directive before it, if any), or
 * a `-- migrate:rebuild-revert` line, which is a step without a statement. */
type Item = { tokens: Token[]; rebuild?: Directive } | { revert: { text: string; line: number } };
interface Directive {
  directive: { text: string; line: number };
  maps: Array<{ text: string; line: number }>;
}

interface Sections {
  up: Item[];
  down: Item[] | null;
  rerunnable: boolean;
}

/** Walks the tokens once: markers switch sections, `;` ends a statement. A statement is the list of its
 * tokens from its first visible token to its last (hidden tokens between them included). */
function splitSections(grammar: SqlGrammar, text: string, file: string): Sections {
  const sections: { up: Item[] | null; down: Item[] | null } = { up: null, down: null };
  let rerunnable = false;
  let current: Item[] | null = null;
  let open: Token[] = [];
  let pendingHidden: Token[] = [];
  /** A `-- migrate:rebuild` read, waiting for its statement. */
  let rebuild: Directive | undefined;

  const closeStatement = () => {
    if (open.length > 0) {
      current!.push(rebuild ? { tokens: open, rebuild } : { tokens: open });
      rebuild = undefined;
    }
    open = [];
    pendingHidden = [];
  };
  /** A section ends: a directive still waiting for its statement is an error (the parser says so). */
  const closeSection = () => {
    closeStatement();
    if (rebuild) parseRebuildDirective({ ...rebuild, statement: null, file, defaultSchema: '' });
  };

  for (const token of grammar.tokenize(text)) {
    if (token.type === grammar.types.comment && token.text.startsWith('--')) {
      const comment = token.text.trimEnd();
      const kind = REBUILD_MARKER.exec(comment)?.[1];
      if (kind !== undefined) {
        const where = { text: comment, line: token.line };
        if (current === null || open.length > 0) {
          throw new FileFormatError(`${file}:${token.line}: '-- migrate:${kind}' goes between statements of a section, on its own line`, file, token.line);
        }
        if (kind === 'rebuild') rebuild = { directive: where, maps: [] };
        else if (kind === 'rebuild-map') {
          if (!rebuild) throw new FileFormatError(`${file}:${token.line}: '-- migrate:rebuild-map' must follow a '-- migrate:rebuild' line`, file, token.line);
          rebuild.maps.push(where);
        } else current.push({ revert: where });
        continue;
      }
      const marker = MARKER.exec(comment);
      if (marker) {
        const [, which, rest] = marker;
        // Anything that looks like a marker but is not exactly one is refused: a misspelled, upper-case or
        // trailing marker read as a plain comment would silently run the down statements as part of up.
        const aloneOnLine = text.slice(token.start - token.column, token.start).trim() === '';
        if ((which !== 'up' && which !== 'down' && which !== 'rerunnable') || rest!.trim() !== '' || !aloneOnLine) {
          throw new FileFormatError(
            `${file}:${token.line}: bad marker '${token.text.trim()}'; the markers are '-- migrate:up', '-- migrate:down' and '-- migrate:rerunnable', in lower case, alone on their line`,
            file,
            token.line,
          );
        }
        if (which === 'rerunnable') {
          rerunnable = true;
          continue;
        }
        if (current !== null) closeSection();
        if (which === 'up' && (sections.up !== null || sections.down !== null)) {
          throw new FileFormatError(`${file}:${token.line}: a second '-- migrate:up' marker`, file, token.line);
        }
        if (which === 'down' && (sections.up === null || sections.down !== null)) {
          const why = sections.up === null ? "comes before '-- migrate:up'" : 'appears twice';
          throw new FileFormatError(`${file}:${token.line}: '-- migrate:down' ${why}`, file, token.line);
        }
        current = sections[which] = [];
        continue;
      }
    }

    if (token.channel !== 0) {
      if (open.length > 0) pendingHidden.push(token);
      continue;
    }
    if (current === null) {
      throw new FileFormatError(
        `${file}:${token.line}: SQL before '-- migrate:up'; put up statements after a '-- migrate:up' line and revert statements after '-- migrate:down'`,
        file,
        token.line,
      );
    }
    if (token.type === grammar.types.semicolon) {
      closeStatement();
      continue;
    }
    open.push(...pendingHidden, token);
    pendingHidden = [];
  }
  if (current !== null) closeSection();

  if (sections.up === null) {
    throw new FileFormatError(
      `${file}: no '-- migrate:up' line; a SQL migration has '-- migrate:up' then its statements, and '-- migrate:down' then the statements that revert them`,
      file,
    );
  }
  return { up: sections.up, down: sections.down, rerunnable };
}

/** A split item as the step the runner takes: a statement, a rebuild, or the revert of one. Rebuilds are
 * resumable by design, so they count as safe to repeat. */
function toStep(grammar: SqlGrammar, item: Item, options: ParseSqlOptions, fileRerunnable: boolean): SqlStatement {
  if ('revert' in item) {
    const table = parseRevertDirective(item.revert, options.file, options.defaultSchema);
    return { sql: item.revert.text, line: item.revert.line, type: 'REBUILD', writes: [table], searches: false, rerunnable: true, hash: statementHash(item.revert.text), revert: table };
  }
  const stmt = toStatement(grammar, item.tokens, options, fileRerunnable);
  if (!item.rebuild) return stmt;
  const rebuild = parseRebuildDirective({ ...item.rebuild, statement: { sql: stmt.sql, line: stmt.line }, file: options.file, defaultSchema: options.defaultSchema });
  const directive = [item.rebuild.directive, ...item.rebuild.maps].map((d) => d.text).join('\n');
  return { ...stmt, line: item.rebuild.directive.line, type: 'REBUILD', writes: [rebuild.table], searches: false, rerunnable: true, hash: statementHash(`${directive}\n${stmt.sql}`), rebuild };
}

function toStatement(grammar: SqlGrammar, tokens: Token[], options: ParseSqlOptions, fileRerunnable: boolean): SqlStatement {
  const line = tokens[0]!.line;
  const sql = substitute(grammar, tokens, options);
  // What the statement writes is read from the text CrateDB gets: a placeholder may name the table or its
  // schema (`INSERT INTO ${schema}.t`), and that table is the one to refresh.
  const written = tokens.some((t) => t.channel === 0 && t.text.includes('$')) ? grammar.tokenize(sql) : tokens;
  const visible = written.filter((t) => t.channel === 0);
  const words = visible.map((t) => t.text.toUpperCase());
  if (sessionStatement(words)) {
    throw new FileFormatError(
      `${options.file}:${line}: '${words.slice(0, 2).join(' ')}' changes the SQL session, which CrateDB keeps per pooled connection: it would leak into later migrations and miss the other connections. Remove it; ${sessionAdvice(words)}`,
      options.file,
      line,
    );
  }
  const { writes, searches } = statementFacts(grammar, visible, words, options.defaultSchema);
  return {
    sql,
    line,
    type: words[0]!,
    writes,
    searches,
    rerunnable: fileRerunnable || rerunnableByForm(words),
    hash: statementHash(sql),
  };
}

/** What the runner needs to know of a statement about to run: the table whose rows it writes and
 * whether it may search. */
export interface StatementFacts {
  words: string[];
  writes: TableRef[];
  searches: boolean;
}

function statementFacts(grammar: SqlGrammar, visible: Token[], words: string[], defaultSchema: string): StatementFacts {
  const target = writeTarget(grammar, visible, words, defaultSchema);
  return { words, writes: target ? [target] : [], searches: maySearch(words) };
}

/** The same facts for a statement a code migration sends through `ctx.sql`/`ctx.bulk`. */
export async function describeStatement(sql: string, defaultSchema: string): Promise<StatementFacts> {
  const grammar = await loadSqlGrammar();
  const visible = grammar.tokenize(sql).filter((t) => t.channel === 0);
  return statementFacts(grammar, visible, visible.map((t) => t.text.toUpperCase()), defaultSchema);
}

/** The table whose rows an INSERT INTO / UPDATE / DELETE FROM / COPY ... FROM writes, read from the
 * tokens after the keyword (`name` or `schema.name`). CrateDB folds unquoted names to lower case. */
function writeTarget(grammar: SqlGrammar, visible: Token[], words: readonly string[], defaultSchema: string): TableRef | undefined {
  const first = words[0];
  const at = first === 'INSERT' || first === 'DELETE' ? 2 : first === 'UPDATE' ? 1 : first === 'COPY' && words.includes('FROM') ? 1 : -1;
  if (at < 0 || visible.length <= at) return undefined;
  const name = (t: Token) => (t.type === grammar.types.quotedIdentifier ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase());
  const dotted = visible[at + 1]?.text === '.' && visible[at + 2] !== undefined;
  return dotted ? { schema: name(visible[at]!), table: name(visible[at + 2]!) } : { schema: defaultSchema, table: name(visible[at]!) };
}

/** The tables a searching statement names, for the REFRESH before it; 'unknown' when the grammar cannot
 * tell (the caller then refreshes every table written so far). Parses, so it is called only when some
 * table written earlier is still unrefreshed. */
export async function searchedTables(sql: string, defaultSchema: string): Promise<TableRef[] | 'unknown'> {
  const grammar = await loadSqlGrammar();
  const tables = grammar.describe(sql).tables;
  if (tables.length === 0) return 'unknown';
  const quoted = new Set(
    grammar
      .tokenize(sql)
      .filter((t) => t.type === grammar.types.quotedIdentifier)
      .map((t) => t.text.slice(1, -1).replaceAll('""', '"')),
  );
  // The parser strips quotes without saying whether there were any; a name never seen quoted is folded.
  const fold = (name: string) => (quoted.has(name) ? name : name.toLowerCase());
  return tables.map((t) => ({ schema: t.schema === null ? defaultSchema : fold(t.schema), table: fold(t.name) }));
}

export function statementHash(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

/** Joins the statement's tokens back into text, replacing `${name}` outside comments and dollar bodies.
 * A placeholder may span several tokens (`$`, `{`, `name`, `}`), so runs of plain tokens are joined
 * before the replacement. */
function substitute(grammar: SqlGrammar, tokens: Token[], options: ParseSqlOptions): string {
  let out = '';
  let run = '';
  let runLine = tokens[0]!.line;
  const flush = () => {
    out += run.replace(PLACEHOLDER, (match, name: string, offset: number) => {
      const value = options.placeholders[name];
      if (value !== undefined) return value;
      const line = runLine + (run.slice(0, offset).match(/\n/g)?.length ?? 0);
      throw new FileFormatError(
        `${options.file}:${line}: unknown placeholder ${match}; define '${name}' under placeholders in the config${
          Object.keys(options.placeholders).length > 0 ? ` (known: ${Object.keys(options.placeholders).join(', ')})` : ''
        }`,
        options.file,
        line,
      );
    });
    run = '';
  };
  for (const token of tokens) {
    if (token.type === grammar.types.comment || token.type === grammar.types.dollarBody) {
      flush();
      out += token.text;
      continue;
    }
    if (run === '') runLine = token.line;
    run += token.text;
  }
  flush();
  return out;
}
