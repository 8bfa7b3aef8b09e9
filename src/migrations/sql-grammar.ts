import { CrateMigrateError } from '../errors.js';
/**
 * CrateDB's own grammar (`@cratedb/cratedb-sqlparse`, an ANTLR build of CrateDB's SqlBase grammar),
 * loaded lazily: the module takes ~100 ms to load, and only a SQL migration that is about to run or be
 * shown needs it.
 *
 * Splitting uses the grammar's LEXER, not its parser: the lexer knows every string, quoted identifier,
 * dollar-quoted body and comment form, so a `;` inside one of them never splits, and it never fails on a
 * statement the (older) parser does not know, such as `CREATE SCHEMA`: CrateDB judges those itself. The
 * parser is then run on a statement alone when the tables it names are needed.
 */

/** One lexer token, as ANTLR's JavaScript runtime gives it. */
export interface Token {
  type: number;
  /** 0 = a token the parser sees; 1 = hidden (whitespace, comments). */
  channel: number;
  /** Character offsets into the lexed text, inclusive. */
  start: number;
  stop: number;
  /** 1-based line, 0-based column. */
  line: number;
  column: number;
  text: string;
}

/** What the grammar says about one statement. */
export interface StatementInfo {
  /** Tables the statement names, quotes stripped (schema null when unqualified), in order of appearance;
   * empty when the grammar does not know the statement. */
  tables: Array<{ schema: string | null; name: string }>;
}

/** The grammar, once loaded. */
export interface SqlGrammar {
  tokenize(text: string): Token[];
  describe(statement: string): StatementInfo;
  /** Token type ids. */
  types: { semicolon: number; comment: number; dollarBody: number; quotedIdentifier: number };
}

interface SqlParseModule {
  sqlparse(query: string): Array<{
    ctx: { parser: { getTokenStream(): { tokenSource: LexerLike } } };
    metadata: { tables: Array<{ name: string; schema: string | null }> };
  }>;
}

interface LexerLike {
  constructor: Function;
  _input: { constructor: Function };
}

type LexerCtor = (new (input: unknown) => { removeErrorListeners(): void; getAllTokens(): Token[] }) &
  Record<string, number>;

let loading: Promise<SqlGrammar> | undefined;

/** Loads the grammar on first use; later calls share the same instance. */
export function loadSqlGrammar(): Promise<SqlGrammar> {
  loading ??= import('@cratedb/cratedb-sqlparse').then((mod) => build(mod as unknown as SqlParseModule));
  return loading;
}

function build(mod: SqlParseModule): SqlGrammar {
  // The package exports only `sqlparse`; its lexer and input stream classes are reached through a parsed
  // statement, so that splitting uses exactly the lexer the parser uses.
  const probe = mod.sqlparse('SELECT 1')[0]!;
  const lexer = probe.ctx.parser.getTokenStream().tokenSource;
  const Lexer = lexer.constructor as LexerCtor;
  const InputStream = lexer._input.constructor as new (text: string) => unknown;
  const types = {
    semicolon: Lexer.SEMICOLON!,
    comment: Lexer.COMMENT!,
    dollarBody: Lexer.DOLLAR_QUOTED_STRING_BODY!,
    quotedIdentifier: Lexer.QUOTED_IDENTIFIER!,
  };
  if (Object.values(types).some((t) => typeof t !== 'number')) {
    throw new CrateMigrateError('CM_INTERNAL', '@cratedb/cratedb-sqlparse: unexpected lexer (token types missing); reinstall cratedb-migrate so that its pinned version is used');
  }

  return {
    types,
    tokenize(text) {
      const lex = new Lexer(new InputStream(text));
      lex.removeErrorListeners();
      return lex.getAllTokens();
    },
    describe(statement) {
      const first = quietly(() => mod.sqlparse(statement))[0];
      return { tables: first?.metadata.tables.map((t) => ({ schema: t.schema ?? null, name: t.name })) ?? [] };
    },
  };
}

/** sqlparse writes to `console.error` when it cannot match several syntax errors to statements; a
 * library must not print, and the call is synchronous, so the writer is swapped out for its duration. */
function quietly<T>(fn: () => T): T {
  const original = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = original;
  }
}
