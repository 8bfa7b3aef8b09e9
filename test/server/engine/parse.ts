/**
 * Parsing with CrateDB's own grammar (SqlBaseParser from @cratedb/cratedb-sqlparse), the way CrateDB's
 * SqlParser does it: one `singleStatement`, the first syntax error thrown as
 * `ParsingException[line L:C: ...]` (6.4) or `SQLParseException[line L:C: ...]` (5.10).
 *
 * The package's grammar is CrateDB 6.1's. The few 6.2+ statements it rejects (CREATE/DROP SCHEMA,
 * ALTER COLUMN SET/DROP DEFAULT) and 6.4's optional statement (a comment-only request is accepted) are
 * recognized from the lexer's token stream in stmt-extras.ts, on 6.4 only.
 */
import { sqlparse } from '@cratedb/cratedb-sqlparse';
import type { CrateVersion } from '../contract.js';
import { CrateError } from './errors.js';
import { recognizeExtra, type ExtraStatement } from './stmt-extras.js';

/** A node of the ANTLR parse tree. The generated parser ships no useful types, hence `any`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Ctx = any;

/** A lexer token (the fields the engine reads). */
export interface Token {
  type: number;
  channel: number;
  text: string;
  tokenIndex: number;
  start: number;
  stop: number;
  line: number;
  column: number;
}

export type ParsedStatement =
  | { kind: 'tree'; stmt: Ctx; text: string }
  | { kind: 'empty' }
  | { kind: 'extra'; extra: ExtraStatement };

interface Runtime {
  Parser: Ctx;
  Lexer: Ctx;
  Input: Ctx;
  TokenStream: Ctx;
  /** PredictionMode.SLL / LL of the bundled ANTLR runtime. */
  sll: number;
  ll: number;
}

let runtime: Runtime | undefined;

/** The ANTLR classes bundled in the package (it exports only `sqlparse`): taken from one parse. */
function rt(): Runtime {
  if (runtime === undefined) {
    const probe = sqlparse('SELECT 1')[0]!.ctx;
    const parser = probe.parser;
    const stream = parser.getTokenStream();
    const lexer = stream.tokenSource;
    runtime = {
      Parser: parser.constructor,
      Lexer: lexer.constructor,
      Input: lexer._input.constructor,
      TokenStream: stream.constructor,
      sll: 0,
      ll: 1,
    };
  }
  return runtime;
}

/** Token type ids of the grammar (`T.SELECT`, `T.EOF`, ...). */
export function tokenTypes(): Record<string, number> {
  return rt().Parser as Record<string, number>;
}

/** The grammar's display name of a token type: `'SELECT'`, `IDENTIFIER`, `<EOF>`. */
export function tokenDisplayName(type: number): string {
  const P = rt().Parser;
  if (type === -1) return '<EOF>';
  return P.literalNames[type] ?? P.symbolicNames[type] ?? String(type);
}

interface SyntaxError {
  line: number;
  column: number;
  msg: string;
  tokenIndex: number;
  expected: Set<number> | undefined;
}

function listener(errors: SyntaxError[]): Ctx {
  return {
    syntaxError(recognizer: Ctx, offending: Ctx, line: number, column: number, msg: string): void {
      let expected: Set<number> | undefined;
      try {
        const set = recognizer.getExpectedTokens?.();
        if (set?.intervals) {
          expected = new Set();
          for (const iv of set.intervals) for (let t = iv.start; t < iv.stop; t++) expected.add(t);
        }
      } catch {
        expected = undefined;
      }
      errors.push({ line, column, msg, tokenIndex: offending?.tokenIndex ?? -1, expected });
    },
    reportAmbiguity() {},
    reportAttemptingFullContext() {},
    reportContextSensitivity() {},
  };
}

/** Lexes `text` into all tokens (hidden channel included), EOF last. */
export function lex(text: string): Token[] {
  const { Lexer, Input, TokenStream } = rt();
  const lexer = new Lexer(new Input(text));
  lexer.removeErrorListeners();
  const stream = new TokenStream(lexer);
  stream.fill();
  return stream.tokens as Token[];
}

function runParser(text: string, mode: number, rule: 'singleStatement' | 'singleExpression'): { tree: Ctx; errors: SyntaxError[]; tokens: Token[] } {
  const { Parser, Lexer, Input, TokenStream } = rt();
  const errors: SyntaxError[] = [];
  const lexer = new Lexer(new Input(text));
  lexer.removeErrorListeners();
  lexer.addErrorListener(listener(errors));
  const stream = new TokenStream(lexer);
  const parser = new Parser(stream);
  parser.removeErrorListeners();
  parser.addErrorListener(listener(errors));
  parser._interp.predictionMode = mode;
  const tree = parser[rule]();
  return { tree, errors, tokens: stream.tokens as Token[] };
}

/** Parses with SLL first (fast) and falls back to full LL when SLL reports anything, as CrateDB does. */
function parseRule(text: string, rule: 'singleStatement' | 'singleExpression'): { tree: Ctx; errors: SyntaxError[]; tokens: Token[] } {
  const { sll, ll } = rt();
  const first = runParser(text, sll, rule);
  if (first.errors.length === 0) return first;
  return runParser(text, ll, rule);
}

/** CrateDB's exception name for syntax errors changed in 6.4. */
export function syntaxError(version: CrateVersion, text: string): CrateError {
  const name = version === '6.4' ? 'ParsingException' : 'SQLParseException';
  return new CrateError(400, 4000, `${name}[${text}]`);
}

function defaultChannel(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.channel === 0);
}

/**
 * 6.4's grammar reads `singleStatement: statement? SEMICOLON? EOF`; 6.1's requires the statement.
 * For an error on the first token that changes ANTLR's report: the expected set gains `<EOF>` and
 * `';'`, and a lone bad token followed by something that may start a statement is "extraneous".
 */
function adaptFirstTokenError(err: SyntaxError, tokens: Token[]): string {
  const visible = defaultChannel(tokens);
  let msg = err.msg;
  if (visible[0]?.tokenIndex !== err.tokenIndex || !msg.startsWith('mismatched input')) return msg;
  const T = tokenTypes();
  const next = visible[1];
  const canFollow = next !== undefined && (next.type === -1 || next.type === T.SEMICOLON || (err.expected?.has(next.type) ?? false));
  if (canFollow) msg = 'extraneous' + msg.slice('mismatched'.length);
  const open = msg.indexOf('expecting {');
  if (open >= 0 && msg.endsWith('}')) {
    msg = msg.slice(0, open) + "expecting {<EOF>, " + msg.slice(open + 'expecting {'.length, -1) + ", ';'}";
  }
  return msg;
}

/**
 * Parses one request's statement. Throws the CrateError CrateDB answers for a syntax error.
 * Two statements in one request fail as in CrateDB (`mismatched input ... expecting <EOF>`).
 */
export function parseStatement(text: string, version: CrateVersion): ParsedStatement {
  if (version === '6.4') {
    const tokens = lex(text);
    const visible = defaultChannel(tokens).filter((t) => t.type !== -1);
    const T = tokenTypes();
    if (visible.length === 0 || (visible.length === 1 && visible[0]!.type === T.SEMICOLON)) return { kind: 'empty' };
    const extra = recognizeExtra(tokens, text);
    if (extra !== undefined) {
      if (extra.kind === 'error') throw syntaxError(version, extra.message);
      return { kind: 'extra', extra };
    }
  }
  const { tree, errors, tokens } = parseRule(text, 'singleStatement');
  if (errors.length > 0) {
    const err = errors[0]!;
    const msg = version === '6.4' ? adaptFirstTokenError(err, tokens) : err.msg;
    throw syntaxError(version, `line ${err.line}:${err.column + 1}: ${msg}`);
  }
  checkIdentifiers(tree, version);
  return { kind: 'tree', stmt: tree.statement(), text };
}

/** CrateDB's parse listener (SqlParser.PostProcessor) rejects backquoted and digit-leading identifiers. */
function checkIdentifiers(node: Ctx, version: CrateVersion): void {
  const rule = ruleName(node);
  if (rule === 'BackQuotedIdentifierContext' || rule === 'DigitIdentifierContext') {
    const t: Token = node.start;
    const msg = rule === 'BackQuotedIdentifierContext'
      ? 'backquoted identifiers are not supported; use double quotes to quote identifiers'
      : 'identifiers must not start with a digit; surround the identifier with double quotes';
    throw syntaxError(version, `line ${t.line}:${t.column + 1}: ${msg}`);
  }
  for (const c of (node.children as Ctx[] | null) ?? []) if (c.children) checkIdentifiers(c, version);
}

/** Parses a standalone expression (a DEFAULT of ALTER COLUMN, a stored generated/check expression). */
export function parseExpression(text: string, version: CrateVersion): Ctx {
  const { tree, errors } = parseRule(text, 'singleExpression');
  if (errors.length > 0) {
    const err = errors[0]!;
    throw syntaxError(version, `line ${err.line}:${err.column + 1}: ${err.msg}`);
  }
  return tree.expr();
}

/** The name of a rule context's class: `ComparisonContext`, `InsertContext`, ... */
export function ruleName(ctx: Ctx): string {
  return ctx?.constructor?.name ?? '';
}

/** True for a terminal (token) node. */
export function isTerminal(node: Ctx): boolean {
  return node !== null && node !== undefined && node.symbol !== undefined && node.children === undefined;
}

/** The original text a node covers, whitespace and comments included. */
export function sourceText(ctx: Ctx): string {
  // The first and last tokens are found by descent: a rule label may shadow `ctx.start` (windowFrame's
  // `start=frameBound`).
  const first = edgeToken(ctx, true);
  const last = edgeToken(ctx, false);
  if (!first || !last) return ctx.getText();
  const input = first.getInputStream?.() ?? first.source?.[1];
  if (input?.getText) return input.getText(first.start, last.stop);
  return ctx.getText();
}

function edgeToken(node: Ctx, first: boolean): Ctx | undefined {
  if (node.symbol !== undefined && !node.children) return node.symbol.type === -1 ? undefined : node.symbol;
  const kids = (node.children as Ctx[] | null) ?? [];
  for (let i = first ? 0 : kids.length - 1; first ? i < kids.length : i >= 0; i += first ? 1 : -1) {
    const t = edgeToken(kids[i], first);
    if (t) return t;
  }
  return undefined;
}

/** An identifier as CrateDB reads it: unquoted ones fold to lower case, quoted ones keep their case. */
export function identName(ident: Ctx): string {
  const text: string = ident.getText();
  if (text.startsWith('"')) return text.slice(1, -1).replace(/""/g, '"');
  return text.toLowerCase();
}

/** The parts of a qualified name (`qname`). */
export function qnameParts(qname: Ctx): string[] {
  return (qname.ident() as Ctx[]).map(identName);
}

/** A `subscriptSafe` node (`o['a']['b']`, as ALTER TABLE and match() name columns): the qualified name and the keys under it. */
export function subscriptSafeParts(node: Ctx): { parts: string[]; keys: string[] } {
  const keys: string[] = [];
  let n = node;
  while (!n.qname?.() && n.value) {
    keys.unshift(n.index.getText().replace(/^'|'$/g, '').replace(/''/g, "'"));
    n = n.value;
  }
  return { parts: n.qname ? qnameParts(n.qname()) : [n.getText()], keys };
}

/** The value of a string literal token text ('it''s', E'..', $$..$$). */
export function stringValue(text: string): string {
  if (text.startsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (/^[eE]'/.test(text)) return unescapeE(text.slice(2, -1));
  const m = /^(\$[^$]*\$)([\s\S]*)\1$/.exec(text);
  if (m) return m[2]!;
  return text;
}

function unescapeE(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)|''/g, (all, esc: string | undefined) => {
    if (esc === undefined) return "'";
    switch (esc[0]) {
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'x': return String.fromCharCode(parseInt(esc.slice(1), 16));
      case 'u':
      case 'U': return String.fromCodePoint(parseInt(esc.slice(1), 16));
      default:
        if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
        return all.slice(1);
    }
  });
}
