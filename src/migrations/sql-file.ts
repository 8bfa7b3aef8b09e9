import type { TableRef } from '../client/types.js';
import { FileFormatError } from '../errors.js';
import { loadSqlGrammar, type SqlGrammar, type Token } from './sql-grammar.js';

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
 */
export interface SqlMigration {
  up: SqlStatement[];
  /** `null` when the file has no `-- migrate:down` marker: the migration cannot be reverted. */
  down: SqlStatement[] | null;
}

/** One statement, ready to send. */
export interface SqlStatement {
  /** The statement text without its `;`, placeholders replaced. */
  sql: string;
  /** 1-based line of its first token in the file. */
  line: number;
  /** First keyword, upper case. */
  type: string;
  /** Tables whose rows this statement writes (INSERT/UPDATE/DELETE targets): refreshed afterwards. */
  writes: TableRef[];
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
const DATA_WRITES = new Set(['INSERT', 'UPDATE', 'DELETE']);

/** Parses a SQL migration file's text into up and down statements. Throws `FileFormatError`. */
export async function parseSqlMigration(text: string, options: ParseSqlOptions): Promise<SqlMigration> {
  const grammar = await loadSqlGrammar();
  const sections = splitSections(grammar, text, options.file);
  const build = (tokens: Token[][]) => tokens.map((stmt) => toStatement(grammar, stmt, options));
  return { up: build(sections.up), down: sections.down === null ? null : build(sections.down) };
}

interface Sections {
  up: Token[][];
  down: Token[][] | null;
}

/** Walks the tokens once: markers switch sections, `;` ends a statement. A statement is the list of its
 * tokens from its first visible token to its last (hidden tokens between them included). */
function splitSections(grammar: SqlGrammar, text: string, file: string): Sections {
  const sections: { up: Token[][] | null; down: Token[][] | null } = { up: null, down: null };
  let current: Token[][] | null = null;
  let open: Token[] = [];
  let pendingHidden: Token[] = [];

  const closeStatement = () => {
    if (open.length > 0) current!.push(open);
    open = [];
    pendingHidden = [];
  };

  for (const token of grammar.tokenize(text)) {
    if (token.type === grammar.types.comment && token.text.startsWith('--')) {
      const marker = MARKER.exec(token.text.trimEnd());
      if (marker) {
        const [, which, rest] = marker;
        // Anything that looks like a marker but is not exactly one is refused: a misspelled, upper-case or
        // trailing marker read as a plain comment would silently run the down statements as part of up.
        const aloneOnLine = text.slice(token.start - token.column, token.start).trim() === '';
        if ((which !== 'up' && which !== 'down') || rest!.trim() !== '' || !aloneOnLine) {
          throw new FileFormatError(
            `${file}:${token.line}: bad marker '${token.text.trim()}'; the markers are '-- migrate:up' and '-- migrate:down', in lower case, alone on their line`,
            file,
            token.line,
          );
        }
        if (current !== null) closeStatement();
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
  if (current !== null) closeStatement();

  if (sections.up === null) {
    throw new FileFormatError(
      `${file}: no '-- migrate:up' line; a SQL migration has '-- migrate:up' then its statements, and '-- migrate:down' then the statements that revert them`,
      file,
    );
  }
  return { up: sections.up, down: sections.down };
}

function toStatement(grammar: SqlGrammar, tokens: Token[], options: ParseSqlOptions): SqlStatement {
  const line = tokens[0]!.line;
  const sql = substitute(grammar, tokens, options);
  const type = tokens[0]!.text.toUpperCase();
  const writes: TableRef[] = [];
  // Parsing costs ~2 ms a statement: only statements that write rows are parsed, for their target table.
  const target = DATA_WRITES.has(type) ? grammar.describe(sql).tables[0] : undefined;
  if (target) {
    const quoted = new Set(
      tokens.filter((t) => t.type === grammar.types.quotedIdentifier).map((t) => t.text.slice(1, -1).replaceAll('""', '"')),
    );
    // The parser strips quotes without saying whether there were any; CrateDB folds unquoted names to
    // lower case, so a name that never appears quoted is folded here too.
    const fold = (name: string) => (quoted.has(name) ? name : name.toLowerCase());
    writes.push({ schema: target.schema === null ? options.defaultSchema : fold(target.schema), table: fold(target.name) });
  }
  return { sql, line, type, writes };
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
