/**
 * Statements of CrateDB 6.2+ that the bundled 6.1 grammar lacks, recognized from the lexer's token
 * stream (6.4 only): `CREATE SCHEMA [IF NOT EXISTS] s`, `DROP SCHEMA [IF EXISTS] s [, ...]` and
 * `ALTER TABLE t ALTER [COLUMN] c SET DEFAULT expr | DROP DEFAULT`. Errors inside them are reported
 * the way ANTLR reports them for 6.4's grammar rules (crate/crate SqlBaseParser.g4).
 */
import { identName, parseExpression, tokenDisplayName, tokenTypes, type Ctx, type Token } from './parse.js';

export type ExtraStatement =
  | { kind: 'createSchema'; name: string; ifNotExists: boolean }
  | { kind: 'dropSchema'; names: string[]; ifExists: boolean; cascade: boolean }
  | { kind: 'alterColumnDefault'; table: string[]; column: string[]; expr: Ctx | null; exprText: string | null }
  | { kind: 'error'; message: string };

class Fail extends Error {}

/** Keyword tokens that can never be identifiers (the rest are `nonReserved` in the grammar). */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'SET', 'DROP', 'ALTER', 'CREATE', 'DEFAULT', 'TABLE', 'IF', 'NOT', 'EXISTS',
  'AND', 'OR', 'NULL', 'TRUE', 'FALSE', 'ON', 'IN', 'IS', 'AS', 'BY', 'WITH', 'COLUMN', 'ADD', 'INTO',
]);

class Cursor {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly all: Token[],
    private readonly text: string,
  ) {}

  peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  is(name: string, k = 0): boolean {
    return this.peek(k).type === tokenTypes()[name];
  }
  skip(n: number): void {
    for (let k = 0; k < n; k++) this.next();
  }
  /** `IF <words>` (IF EXISTS, IF NOT EXISTS): true when present. */
  ifClause(...words: string[]): boolean {
    if (!this.accept('IF')) return false;
    for (const w of words) this.expect(w, () => false);
    return true;
  }
  accept(name: string): boolean {
    if (!this.is(name)) return false;
    this.next();
    return true;
  }
  position(t: Token): string {
    return `line ${t.line}:${t.column + 1}`;
  }
  display(t: Token): string {
    return t.type === -1 ? '<EOF>' : t.text;
  }
  /** Text of all tokens (hidden ones too) from `from` up to and including `to`, as ANTLR prints it. */
  span(from: Token, to: Token): string {
    return this.all
      .slice(from.tokenIndex, to.tokenIndex + 1)
      .map((t) => (t.type === -1 ? '<EOF>' : t.text))
      .join('');
  }
  expect(name: string, canFollow: (t: Token) => boolean): void {
    if (this.accept(name)) return;
    const t = this.peek();
    const want = tokenDisplayName(tokenTypes()[name]!);
    if (canFollow(t)) throw new Fail(`${this.position(t)}: missing ${want} at '${this.display(t)}'`);
    throw new Fail(`${this.position(t)}: mismatched input '${this.display(t)}' expecting ${want}`);
  }
  isIdent(t: Token = this.peek()): boolean {
    const T = tokenTypes();
    if (t.type === T.IDENTIFIER || t.type === T.QUOTED_IDENTIFIER || t.type === T.DIGIT_IDENTIFIER) return true;
    const name = tokenDisplayName(t.type);
    return /^'[A-Z_]+'$/.test(name) && !RESERVED.has(name.slice(1, -1));
  }
  ident(): string {
    const t = this.peek();
    if (!this.isIdent(t)) {
      throw new Fail(`${this.position(t)}: mismatched input '${this.display(t)}' expecting {IDENTIFIER, QUOTED_IDENTIFIER}`);
    }
    this.next();
    return identName({ getText: () => t.text });
  }
  qname(): string[] {
    const parts = [this.ident()];
    while (this.accept('DOT')) parts.push(this.ident());
    return parts;
  }
  /** `SEMICOLON? EOF` of 6.4's singleStatement. */
  end(): void {
    this.accept('SEMICOLON');
    const t = this.peek();
    if (t.type === -1) return;
    const word = this.peek(1).type === -1 ? 'extraneous' : 'mismatched';
    throw new Fail(`${this.position(t)}: ${word} input '${this.display(t)}' expecting <EOF>`);
  }
  restText(): { text: string; offset: number } {
    const t = this.peek();
    return { text: this.text, offset: t.start };
  }
  lastVisible(): Token | undefined {
    return this.tokens[this.tokens.length - 2];
  }
}

/** Recognizes a 6.2+ statement, or returns undefined to let the grammar parse the text. */
export function recognizeExtra(all: Token[], text: string): ExtraStatement | undefined {
  const visible = all.filter((t) => t.channel === 0);
  const c = new Cursor(visible, all, text);
  try {
    if (c.is('CREATE') && c.is('SCHEMA', 1)) return createSchema(c);
    if (c.is('DROP') && c.is('SCHEMA', 1)) return dropSchema(c);
    if (c.is('ALTER') && c.is('TABLE', 1)) return alterColumn(c, text);
    return undefined;
  } catch (e) {
    if (e instanceof Fail) return { kind: 'error', message: e.message };
    throw e;
  }
}

function createSchema(c: Cursor): ExtraStatement {
  c.skip(2);
  const ifNotExists = c.ifClause('NOT', 'EXISTS');
  const name = c.ident();
  c.end();
  return { kind: 'createSchema', name, ifNotExists };
}

function dropSchema(c: Cursor): ExtraStatement {
  c.skip(2);
  const ifExists = c.ifClause('EXISTS');
  const names = [c.ident()];
  while (c.accept('COMMA')) names.push(c.ident());
  let cascade = false;
  if (c.accept('CASCADE')) cascade = true;
  else c.accept('RESTRICT');
  c.end();
  return { kind: 'dropSchema', names, ifExists, cascade };
}

/** `ALTER TABLE [ONLY] t ALTER [COLUMN] c ...`; any other ALTER TABLE is left to the grammar. */
function alterColumn(c: Cursor, text: string): ExtraStatement | undefined {
  const first = c.peek();
  c.next();
  c.next();
  c.accept('ONLY');
  if (!c.isIdent()) return undefined;
  const table = c.qname();
  if (!c.is('ALTER')) return undefined;
  c.next();
  c.accept('COLUMN');
  const column = subscriptSafe(c);
  if (c.accept('SET')) {
    c.expect('DEFAULT', (t) => c.isIdent(t) || startsExpression(t));
    const { offset } = c.restText();
    const { expr, exprText } = parseExpressionAt(c, text, offset);
    return { kind: 'alterColumnDefault', table, column, expr, exprText };
  }
  if (c.accept('DROP')) {
    c.expect('DEFAULT', (t) => t.type === -1 || t.type === tokenTypes().SEMICOLON);
    c.end();
    return { kind: 'alterColumnDefault', table, column, expr: null, exprText: null };
  }
  const bad = c.peek();
  throw new Fail(`line ${first.line}:${bad.column + 1}: no viable alternative at input '${c.span(first, bad)}'`);
}

function subscriptSafe(c: Cursor): string[] {
  const path = c.qname();
  while (c.is('OPEN_SQUARE_BRACKET') && c.is('STRING', 1) && c.is('CLOSE_SQUARE_BRACKET', 2)) {
    c.next();
    path.push(c.next().text.slice(1, -1).replace(/''/g, "'"));
    c.next();
  }
  return path;
}

function startsExpression(t: Token): boolean {
  const T = tokenTypes();
  return [T.STRING, T.INTEGER_VALUE, T.DECIMAL_VALUE, T.OPEN_ROUND_BRACKET, T.NULL, T.TRUE, T.FALSE, T.MINUS, T.PLUS,
    T.QUESTION, T.OPEN_SQUARE_BRACKET, T.OPEN_CURLY_BRACKET, T.CAST, T.CASE, T.NOT].includes(t.type);
}

/** Parses the DEFAULT expression in place (positions in errors stay those of the whole statement). */
function parseExpressionAt(c: Cursor, text: string, offset: number): { expr: Ctx; exprText: string } {
  let end = text.length;
  const last = c.lastVisible();
  if (last !== undefined && last.type === tokenTypes().SEMICOLON) end = last.start;
  const masked = text.slice(0, offset).replace(/[^\n]/g, ' ') + text.slice(offset, end);
  return { expr: parseExpression(masked, '6.4'), exprText: text.slice(offset, end).trim() };
}
