/**
 * CrateDB's textual form of an expression (its ExpressionFormatter): the output column name of an
 * unaliased select item (`version['number']`, `count(*)`), the call in `Unknown function: f(1)`, and
 * constraint texts (`"qty" > 0` with quoted identifiers, as SHOW CREATE TABLE prints them).
 */
import { constantOf, unwrap, WRAPPER_RULES } from './literals.js';
import { identName, ruleName, sourceText, stringValue, type Ctx } from './parse.js';

export interface FormatOptions {
  /** Quote column names (`"qty"`), as stored constraint and generated expressions are printed. */
  quote?: boolean;
  /** Number of a `?` placeholder (by its token index): CrateDB prints parameters as `$n`. */
  param?: (tokenIndex: number) => number;
  /** Renames a column read (`['o', 'a']` for `o['a']`): stored expressions after RENAME COLUMN. */
  column?: (path: string[]) => string[];
  /** Print as CrateDB prints an analyzed expression (a column DEFAULT): a negated number is one literal, `-1`. */
  normalized?: boolean;
}

/** Formats an expression and drops its outermost parentheses (formatStandaloneExpression). */
export function formatStandalone(node: Ctx, opts: FormatOptions = {}): string {
  const text = format(node, opts);
  if (text.startsWith('(') && text.endsWith(')') && ruleName(unwrap(node)) !== 'SubqueryExpressionContext' && balanced(text.slice(1, -1))) {
    return text.slice(1, -1);
  }
  return text;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = false;
  for (const ch of s) {
    if (ch === "'") quote = !quote;
    if (quote) continue;
    if (ch === '(') depth++;
    if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal of the translated (PG) SQL. */
/** The text a PG string literal (as pgString writes it) holds, or undefined for any other SQL. */
export function pgStringValue(sql: string): string | undefined {
  const m = /^'((?:[^']|'')*)'$/.exec(sql);
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

export function pgString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A column as CrateDB names it in messages (ColumnIdent.sqlFqn): `o['a']['b']`. */
export function sqlFqn(path: readonly string[]): string {
  return `${path[0]}${path.slice(1).map((k) => `['${k}']`).join('')}`;
}

function ident(node: Ctx, opts: FormatOptions): string {
  return identText(identName(node), opts);
}

function identText(name: string, opts: FormatOptions): string {
  return opts.quote ? quoteIdent(name) : name;
}

/** The column a reference or a chain of string subscripts on one reads (`o['a']` is ['o', 'a']), or
 * undefined for anything else (`arr[1]`, `f(x)['a']`). */
export function columnPathOf(node: Ctx): string[] | undefined {
  const keys: string[] = [];
  let base = unwrap(node);
  while (ruleName(base) === 'SubscriptContext') {
    const key = constantOf(base.index);
    if (key?.kind !== 'value' || typeof key.value !== 'string') return undefined;
    keys.unshift(key.value);
    base = unwrap(base.value);
  }
  return ruleName(base) === 'ColumnReferenceContext' ? [identName(base.ident()), ...keys] : undefined;
}

/** A column path as ExpressionFormatter prints it: `o['a']`, or `"o"['a']` with `quote`. */
export function columnText(path: readonly string[], opts: FormatOptions): string {
  const [top, ...keys] = opts.column ? opts.column([...path]) : path;
  return `${identText(top!, opts)}${keys.map((k) => `['${k.replace(/'/g, "''")}']`).join('')}`;
}

/** Java's Double.toString for the numbers CrateDB prints. */
export function javaDouble(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return `${n}.0`;
  if (Math.abs(n) >= 1e7 || (n !== 0 && Math.abs(n) < 1e-3)) {
    const [m, e] = n.toExponential().split('e') as [string, string];
    return `${m.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  return String(n);
}

function children(node: Ctx): Ctx[] {
  return (node.children as Ctx[] | null) ?? [];
}

/** Formats an expression node (any rule from `expr` down). */
export function format(node: Ctx, opts: FormatOptions = {}): string {
  const f = (n: Ctx): string => format(n, opts);
  const rule = ruleName(node);
  if (WRAPPER_RULES.has(rule)) return f(children(node)[0]);
  switch (rule) {
    case 'PredicatedContext': {
      const value = f(node.valueExpression());
      const pred = node.predicate();
      return pred ? formatPredicate(value, pred, opts) : value;
    }
    case 'LogicalNotContext':
      return `(NOT ${f(node.booleanExpression())})`;
    case 'LogicalBinaryContext':
      return `(${f(node.left)} ${node.operator.text.toUpperCase()} ${f(node.right)})`;
    case 'MatchContext':
      return `MATCH(${node.matchPredicateIdents().getText()}, ${f(node.term)})`;
    case 'ArithmeticBinaryContext':
    case 'BitwiseBinaryContext':
      return `(${f(node.left)} ${node.operator.text} ${f(node.right)})`;
    case 'ConcatenationContext':
      return `(${f(node.left)} || ${f(node.right)})`;
    case 'ArithmeticUnaryContext': {
      // The parser keeps `-1` as a negation of 1, which ExpressionFormatter prints `- 1`; the analyzer folds it.
      const inner = f(node.valueExpression());
      if (node.operator.text !== '-') return inner;
      return opts.normalized && /^[0-9]/.test(inner) ? `-${inner}` : `- ${inner}`;
    }
    case 'ColumnReferenceContext':
      return columnText([identName(node.ident())], opts);
    case 'DereferenceContext':
      return (node.ident() as Ctx[]).map((i) => ident(i, opts)).join('.');
    case 'SubscriptContext': {
      const path = opts.column ? columnPathOf(node) : undefined;
      if (path) return columnText(path, opts);
      const index = node.index;
      return `${f(node.value)}[${f(index)}]`;
    }
    case 'ArraySliceContext':
      return `${f(node.base)}[${node.from ? f(node.from) : ''}:${node.to ? f(node.to) : ''}]`;
    case 'NestedExpressionContext':
      return f(node.expr());
    case 'FunctionCallContext':
      return formatCall(node, opts);
    case 'DoubleColonCastContext':
      return `CAST(${f(node.primaryExpression())} AS ${typeText(node.dataType())})`;
    case 'CastContext':
      return `${node.children[0].getText().toUpperCase()}(${f(node.expr())} AS ${typeText(node.dataType())})`;
    case 'NullLiteralContext':
      return 'NULL';
    case 'StringLiteralContext':
    case 'EscapedCharsStringLiteralContext':
      return `'${stringValue(node.getText()).replace(/'/g, "''")}'`;
    case 'IntegerLiteralContext':
      return String(Number(node.getText()));
    case 'DecimalLiteralContext':
      return javaDouble(Number(node.getText()));
    case 'BooleanLiteralContext':
      return node.getText().toLowerCase();
    case 'ParameterPlaceholderContext':
      return opts.param ? `$${opts.param(node.start.tokenIndex)}` : '?';
    case 'PositionalParameterContext':
      return node.getText();
    case 'ArrayLiteralContext':
      return `[${((node.expr() as Ctx[]) ?? []).map(f).join(', ')}]`;
    case 'EmptyArrayContext':
      return '[]';
    case 'ObjectLiteralContext': {
      const kvs = ((node.objectKeyValue() as Ctx[]) ?? [])
        .map((kv) => [identName(kv.key), f(kv.value)] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      return `{${kvs.map(([k, v]) => `${quoteIfNeeded(k)}= ${v}`).join(', ')}}`;
    }
    case 'CurrentSchemaContext':
      return 'current_schema';
    case 'CurrentUserContext':
      return 'current_user';
    case 'SessionUserContext':
      return 'session_user';
    case 'SpecialDateTimeFunctionContext': {
      const text = node.getText().toLowerCase();
      return opts.quote && text === 'current_timestamp' ? 'current_timestamp(3)' : text;
    }
    case 'ExtractContext':
      return `EXTRACT(${node.stringLiteralOrIdentifier().getText().replace(/'/g, '').toUpperCase()} FROM ${f(node.expr())})`;
    case 'SubstringContext':
      return `substring(${(node.expr() as Ctx[]).map(f).join(', ')})`;
    case 'TrimContext':
      return `trim(${f(node.target)})`;
    case 'IfCaseContext':
      return `IF(${f(node.condition)}, ${f(node.trueValue)}${node.falseValue ? `, ${f(node.falseValue)}` : ''})`;
    case 'AtTimezoneContext':
      // The parser makes `ts AT TIME ZONE zone` the call timezone(zone, ts).
      return `timezone(${f(node.zone)}, ${f(node.timestamp)})`;
    case 'SearchedCaseContext':
    case 'SimpleCaseContext': {
      const parts = ['CASE'];
      if (node.operand) parts.push(f(node.operand));
      for (const w of node.whenClause() as Ctx[]) parts.push(`WHEN ${f(w.condition)} THEN ${f(w.result)}`);
      if (node.elseExpr) parts.push(`ELSE ${f(node.elseExpr)}`);
      parts.push('END');
      return parts.join(' ');
    }
    default:
      return sourceText(node).replace(/\s+/g, ' ');
  }
}

/** A name quoted only when it must be (SqlFormatter's constraint and object-key names). */
export function quoteIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

/** ComparisonExpression.Type's text: `!=` and `<>` are both NOT_EQUAL, printed `<>`. */
function comparison(op: Ctx): string {
  const text = op.getText();
  return text === '!=' ? '<>' : text;
}

function formatPredicate(value: string, pred: Ctx, opts: FormatOptions): string {
  const f = (n: Ctx): string => format(n, opts);
  const not = pred.NOT?.() ? 'NOT ' : '';
  switch (ruleName(pred)) {
    case 'ComparisonContext':
      return `(${value} ${comparison(pred.cmpOp())} ${f(pred.right)})`;
    case 'QuantifiedComparisonContext':
      return `(${value} ${comparison(pred.cmpOp())} ${pred.setCmpQuantifier().getText().toUpperCase()}(${f(pred.primaryExpression())}))`;
    case 'BetweenContext':
      return `(${value} ${not}BETWEEN ${f(pred.lower)} AND ${f(pred.upper)})`;
    case 'InListContext':
      return `(${value} ${not}IN (${(pred.expr() as Ctx[]).map(f).join(', ')}))`;
    case 'InSubqueryContext':
      return `(${value} ${not}IN ${f(pred.subqueryExpression())})`;
    case 'LikeContext':
      return `(${value} ${not}${pred.ILIKE?.() ? 'ILIKE' : 'LIKE'} ${f(pred.pattern)}${pred.escape ? ` ESCAPE ${f(pred.escape)}` : ''})`;
    case 'ArrayLikeContext': {
      // visitArrayLikePredicate, space before the closing parenthesis included.
      const kind = pred.ILIKE?.() ? 'ILIKE' : 'LIKE';
      const escape = pred.escape ? `ESCAPE ${f(pred.escape)}` : '';
      return `(${value}${pred.NOT?.() ? ' NOT' : ''} ${kind} ${pred.setCmpQuantifier().getText().toUpperCase()} (${f(pred.v)}) ${escape})`;
    }
    case 'NullPredicateContext':
      return `(${value} IS ${not}NULL)`;
    case 'DistinctFromContext':
      return `(${value} IS ${not}DISTINCT FROM ${f(pred.right)})`;
    default:
      return `${value} ${pred.getText()}`;
  }
}

function formatCall(node: Ctx, opts: FormatOptions): string {
  const name = (node.qname().ident() as Ctx[]).map((i) => identName(i)).join('.');
  const args = (node.expr() as Ctx[] | null) ?? [];
  if (node.ASTERISK?.()) return `${name}(*)`;
  const distinct = node.setQuant?.()?.getText().toUpperCase() === 'DISTINCT' ? 'DISTINCT ' : '';
  return `${name}(${distinct}${args.map((a) => format(a, opts)).join(', ')})`;
}

/** The name of a function call node (`count`, `no_such_function`). */
export function callName(node: Ctx): string {
  return (node.qname().ident() as Ctx[]).map((i) => identName(i)).join('.');
}

/**
 * A cast's type as ExpressionFormatter prints it (visitColumnType): the name as parsed, lowercase, its words
 * apart (`timestamp with time zone`), its parameters after `, `; `array(inner)` for both array forms; an
 * object type as plain `object`, without its policy and columns.
 */
function typeText(node: Ctx): string {
  switch (ruleName(node)) {
    case 'ArrayDataTypeContext':
      return `array(${typeText(node.dataType())})`;
    case 'ObjectDataTypeContext':
      return 'object';
    case 'MaybeParametrizedDataTypeContext': {
      const base = node.baseDataType();
      const name = ruleName(base) === 'IdentDataTypeContext'
        ? identName(base.ident())
        : (base.definedDataType().children as Ctx[]).map((c) => c.getText().toLowerCase()).join(' ');
      const params = ((node.integerLiteral() as Ctx[] | null) ?? []).map((i) => String(Number(i.getText())));
      return params.length > 0 ? `${name}(${params.join(', ')})` : name;
    }
    default:
      return node.getText().toLowerCase();
  }
}
