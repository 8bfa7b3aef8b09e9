/**
 * Expression translation: a CrateDB expression parse tree becomes PG SQL text with a CrateDB type
 * where one can be inferred. CrateDB-only constructs are rewritten node by node: `?` placeholders,
 * `[..]` and `{..}` literals, object subscripts, `match()` onto PG text search, the fulltext column
 * form (its tokens replace the plain index), `now()` onto the injected clock.
 */
import { sqlParse, unsupportedFeature, unsupportedFunction } from './errors.js';
import { callName, format, pgString } from './format.js';
import { asTimestamptz, CLOCK_FUNCTIONS, mapFunction } from './functions.js';
import { constantOf, unwrap, WRAPPER_RULES } from './literals.js';
import { coerce } from './values.js';
import { currentScore, match } from './match.js';
import { knnMatch } from './knn.js';
import { udfCall } from './udfs.js';
import { windowDefinition } from './ordering.js';
import { identName, ruleName, stringValue, type Ctx } from './parse.js';
import { predicate } from './predicates.js';
import { subscript } from './subscript.js';
import { translateSubquery } from './query.js';
import { NOW_MARK, resolveColumn, tryResolve, type Scope, type Tx, type Typed } from './scope.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { isNumeric, pgType, T, typeFromNode, typeName, type CrateType, type ObjectField } from './types.js';

export interface ExprOpts {
  /** A bare parameter here gets its type from its JSON value (select items, literals' elements). */
  free?: boolean;
}

/** Translates an expression node in `scope`. */
export function expr(node: Ctx, scope: Scope, tx: Tx, opts: ExprOpts = {}): Typed {
  const e = (n: Ctx, o: ExprOpts = {}): Typed => expr(n, scope, tx, o);
  const rule = ruleName(node);
  if (WRAPPER_RULES.has(rule)) return expr(node.children[0], scope, tx, opts);
  switch (rule) {
    case 'SubqueryExpressionContext':
      return translateSubquery(node.query(), scope, tx);
    case 'PredicatedContext': {
      const pred = node.predicate();
      if (!pred) return expr(node.valueExpression(), scope, tx, opts);
      return predicate(node.valueExpression(), pred, scope, tx);
    }
    case 'LogicalNotContext':
      return { sql: `(NOT ${e(node.booleanExpression()).sql})`, type: T.boolean };
    case 'LogicalBinaryContext':
      return { sql: `(${e(node.left).sql} ${node.operator.text.toUpperCase()} ${e(node.right).sql})`, type: T.boolean };
    case 'MatchContext':
      return match(node, scope, tx);
    case 'ArithmeticBinaryContext':
      return arithmetic(node, scope, tx);
    case 'BitwiseBinaryContext': {
      const op = node.operator.text === '^' ? '#' : node.operator.text;
      const l = e(node.left);
      return { sql: `(${l.sql} ${op} ${e(node.right).sql})`, ...(l.type ? { type: l.type } : {}) };
    }
    case 'OverlapContext': {
      // `a && b` is array_overlap (6.x); the 5.10 grammar has no such operator.
      if (tx.env.version === '5.10') throw sqlParse(`Unsupported expression: ${format(node)}`);
      return { sql: `(${e(node.left).sql} && ${e(node.right).sql})`, type: T.boolean };
    }
    case 'ConcatenationContext': {
      const l = e(node.left);
      const r = e(node.right);
      const type = l.type?.kind === 'array' ? l.type : r.type?.kind === 'array' ? r.type : T.text;
      return { sql: `(${l.sql} || ${r.sql})`, type };
    }
    case 'ArithmeticUnaryContext': {
      const inner = e(node.valueExpression());
      return { sql: node.operator.text === '-' ? `(- ${inner.sql})` : inner.sql, ...(inner.type ? { type: inner.type } : {}) };
    }
    case 'FromStringLiteralCastContext': {
      const type = typeFromNode(node.dataType());
      return { sql: `CAST(${pgString(stringValue(node.stringLiteral().getText()))} AS ${pgType(type)})`, type };
    }
    case 'ColumnReferenceContext':
      return columnRef([identName(node.ident())], scope, tx);
    case 'DereferenceContext':
      return columnRef((node.ident() as Ctx[]).map(identName), scope, tx);
    case 'NestedExpressionContext': {
      const inner = e(node.expr(), opts);
      return { sql: `(${inner.sql})`, ...(inner.type ? { type: inner.type } : {}) };
    }
    case 'ExistsContext':
      return { sql: `EXISTS ${translateSubquery(node.query(), scope, tx).sql}`, type: T.boolean };
    case 'SubscriptContext':
      return subscript(node, scope, tx);
    case 'ArraySliceContext': {
      const base = e(node.base);
      const from = node.from ? e(node.from).sql : '';
      const to = node.to ? e(node.to).sql : '';
      return { sql: `(${base.sql})[${from}:${to}]`, ...(base.type ? { type: base.type } : {}) };
    }
    case 'DoubleColonCastContext': {
      const type = typeFromNode(node.dataType());
      return castNode(node.primaryExpression(), type, e(node.primaryExpression()));
    }
    case 'CastContext': {
      const type = typeFromNode(node.dataType());
      if (node.children[0].getText().toUpperCase() === 'TRY_CAST') {
        return { sql: `${SYSTEM_SCHEMA}.try_cast(CAST(${e(node.expr()).sql} AS text), CAST(NULL AS ${pgType(type)}))`, type };
      }
      return castNode(node.expr(), type, e(node.expr()));
    }
    case 'AtTimezoneContext':
      return { sql: `(${e(node.timestamp).sql} AT TIME ZONE ${e(node.zone).sql})`, type: T.timestamp };
    case 'FunctionCallContext':
      return call(node, scope, tx);
    case 'SpecialDateTimeFunctionContext':
      return clockFunction(node.getText().toLowerCase().replace(/\(.*$/, ''), tx);
    case 'CurrentSchemaContext':
      return { sql: pgString(tx.env.schema), type: T.text };
    case 'CurrentUserContext':
    case 'SessionUserContext':
      return { sql: pgString(tx.env.user.name), type: T.text };
    case 'CurrentCatalogContext':
      return { sql: `'crate'`, type: T.text };
    case 'LeftContext':
      return { sql: `left(${e(node.strOrColName).sql}, ${e(node.len).sql})`, type: T.text };
    case 'RightContext':
      return { sql: `right(${e(node.strOrColName).sql}, ${e(node.len).sql})`, type: T.text };
    case 'SubstringContext': {
      const parts = (node.expr() as Ctx[]).map((x) => e(x).sql);
      return { sql: `substring(${parts[0]} FROM ${parts[1]}${parts[2] ? ` FOR ${parts[2]}` : ''})`, type: T.text };
    }
    case 'PositionContext': {
      const parts = (node.expr() as Ctx[]).map((x) => e(x).sql);
      return { sql: `position(${parts[0]} IN ${parts[1]})`, type: T.integer };
    }
    case 'TrimContext': {
      const mode = node.trimMode?.text?.toUpperCase() ?? 'BOTH';
      const chars = node.charsToTrim ? e(node.charsToTrim).sql : '';
      return { sql: `trim(${mode} ${chars} FROM ${e(node.target).sql})`, type: T.text };
    }
    case 'ExtractContext': {
      const field = node.stringLiteralOrIdentifier().getText().replace(/'/g, '').toLowerCase();
      // A number is epoch milliseconds, as for every timestamp argument.
      const arg = e(node.expr());
      const src = arg.type && isNumeric(arg.type) ? asTimestamptz(arg) : arg.sql;
      if (field === 'epoch') return { sql: `CAST(EXTRACT(epoch FROM ${src}) AS double precision)`, type: T.double };
      // ExtractFunctions' ISO chronology in UTC: the week starts on Monday (Sunday is 7), the century is of the
      // era (2024 is in 20), a second is whole; CrateDB's long names are PG's short ones.
      if (field === 'timezone_hour' || field === 'timezone_minute') {
        throw unsupportedFeature(`Extract( ${field.toUpperCase()} from <expression>) is not supported`);
      }
      if (field === 'century') return { sql: `CAST(floor(EXTRACT(year FROM ${src}) / 100) AS integer)`, type: T.integer };
      const pgField = EXTRACT_FIELDS[field] ?? field;
      return { sql: `CAST(floor(EXTRACT(${pgField} FROM ${src})) AS integer)`, type: T.integer };
    }
    case 'SimpleCaseContext':
    case 'SearchedCaseContext':
      return caseExpr(node, scope, tx);
    case 'IfCaseContext': {
      const then = e(node.trueValue);
      const other = node.falseValue ? ` ELSE ${e(node.falseValue).sql}` : '';
      return { sql: `(CASE WHEN ${e(node.condition).sql} THEN ${then.sql}${other} END)`, ...(then.type ? { type: then.type } : {}) };
    }
    case 'ArraySubqueryContext': {
      const sub = translateSubquery(node.subqueryExpression().query(), scope, tx);
      return { sql: `ARRAY${sub.sql}`, ...(sub.type ? { type: T.array(sub.type) } : {}) };
    }
    case 'NullLiteralContext':
      return { sql: 'NULL', type: T.undefined };
    case 'IntervalLiteralContext':
      return { sql: (node.children as Ctx[]).map((c) => c.getText()).join(' '), type: { kind: 'interval' } };
    case 'StringLiteralContext':
    case 'EscapedCharsStringLiteralContext':
      return { sql: pgString(stringValue(node.getText())), type: T.text };
    case 'IntegerLiteralContext': {
      const c = constantOf(node)!;
      return { sql: node.getText(), type: c.kind === 'value' ? c.type : T.integer };
    }
    case 'DecimalLiteralContext':
      return { sql: `CAST(${node.getText()} AS double precision)`, type: T.double };
    case 'BooleanLiteralContext':
      return { sql: node.getText().toUpperCase(), type: T.boolean };
    case 'BitStringContext':
      return { sql: node.getText(), type: { kind: 'bit', length: node.getText().length - 3 } };
    case 'ParameterExpressionContext':
    case 'ParameterExprContext':
    case 'IntAsLiteralContext':
      return expr(node.children[0], scope, tx, opts);
    case 'NullAsLiteralContext':
      return { sql: 'NULL', type: T.undefined };
    case 'IntegerParamOrLiteralDoubleColonCastContext':
      return cast(e(node.parameterOrLiteral()), typeFromNode(node.dataType()));
    case 'IntegerParamOrLiteralCastContext':
      return cast(e(node.expr()), typeFromNode(node.dataType()));
    case 'ParameterPlaceholderContext':
    case 'PositionalParameterContext':
      return param(node, tx, opts);
    case 'ArrayLiteralContext': {
      const items = ((node.expr() as Ctx[] | null) ?? []).map((x) => e(x, { free: true }));
      if (items.length === 0) return { sql: `'{}'`, type: T.array(T.undefined) };
      const element = items.find((i) => i.type && i.type.kind !== 'undefined')?.type ?? T.undefined;
      if (element.kind === 'object') return { sql: `ARRAY[${items.map((i) => i.sql).join(', ')}]::jsonb[]`, type: T.array(element) };
      // Arrays of arrays are jsonb (pgType), so inner arrays may differ in length as CrateDB allows.
      if (element.kind === 'array') return { sql: `jsonb_build_array(${items.map(toJsonb).join(', ')})`, type: T.array(element) };
      return { sql: `ARRAY[${items.map((i) => i.sql).join(', ')}]`, type: T.array(element) };
    }
    case 'EmptyArrayContext':
      return { sql: `'{}'`, type: T.array(T.undefined) };
    case 'ObjectLiteralContext': {
      // Typed by its members, as CrateDB's ObjectType of a literal, so `{a=1}['a']` reads an integer.
      const fields: ObjectField[] = [];
      const kvs = ((node.objectKeyValue() as Ctx[] | null) ?? []).map((kv) => {
        const v = e(kv.value, { free: true });
        if (v.type) fields.push({ name: identName(kv.key), type: v.type });
        return `${pgString(identName(kv.key))}, ${toJsonb(v)}`;
      });
      return { sql: `jsonb_build_object(${kvs.join(', ')})`, type: T.object(fields) };
    }
    default:
      throw sqlParse(`Unsupported expression: ${format(node)}`);
  }
}

/** A value as jsonb (object literal members keep their JSON type). */
function toJsonb(v: Typed): string {
  if (v.type?.kind === 'object' || (v.type?.kind === 'array' && v.type.element.kind === 'array')) return v.sql;
  // A literal's PG type may still be `unknown`: give it the CrateDB type's (text when unknown).
  const t = v.type && v.type.kind !== 'undefined' ? pgType(v.type) : 'text';
  return `to_jsonb(CAST(${v.sql} AS ${t}))`;
}

function param(node: Ctx, tx: Tx, opts: ExprOpts): Typed {
  const explicit = ruleName(node) === 'PositionalParameterContext' ? Number(node.integerLiteral().getText()) : undefined;
  const n = tx.param(node.start.tokenIndex, explicit);
  if (opts.free) tx.free.add(n);
  const hint = tx.hints.get(n);
  return { sql: `$${n}`, ...(hint ? { type: hint } : {}) };
}

function columnRef(parts: string[], scope: Scope, tx: Tx): Typed {
  if (parts.length === 1 && parts[0] === '_score') {
    const s = tryResolve(scope, parts);
    if (s) return s;
    return { sql: currentScore(tx) ?? 'CAST(1.0 AS real)', type: T.real };
  }
  return resolveColumn(scope, parts, tx.env.schema);
}

/** EXTRACT fields by their PG names. */
const EXTRACT_FIELDS: Record<string, string> = {
  dow: 'isodow', day_of_week: 'isodow', day_of_month: 'day', day_of_year: 'doy',
};

/** Scalar types whose literal casts CrateDB checks at analysis, the way it converts INSERT values. */
const CHECKED_CASTS = new Set(['byte', 'smallint', 'integer', 'bigint', 'real', 'double', 'boolean', 'ip', 'timestamp', 'timestamptz', 'date', 'geo_point', 'geo_shape']);

/**
 * A cast of a literal is evaluated when CrateDB analyzes the statement (Literal.cast), so a value that does
 * not convert fails naming the literal and its type (`Cannot cast \`'abc'\` of type \`text\` to type
 * \`integer\``), not PG's runtime message.
 */
function checkLiteralCast(node: Ctx, type: CrateType, source?: CrateType): unknown {
  // StringType has no conversion from an array (ArrayType converts to arrays only).
  if (type.kind === 'text' && source?.kind === 'array') {
    throw sqlParse(`Cannot cast \`${format(unwrap(node))}\` of type \`${typeName(source)}\` to type \`text\``);
  }
  const c = constantOf(node);
  if (c?.kind !== 'value' || c.value === null || !CHECKED_CASTS.has(type.kind)) return undefined;
  return coerce(c.value, type, { kind: 'literal', text: c.text, type: c.type }, { column: '', added: [] });
}

/** A cast; a literal geo_shape is its GeoJSON (PG reads no WKT), checked as CrateDB checks it. */
function castNode(node: Ctx, type: CrateType, value: Typed): Typed {
  const converted = checkLiteralCast(node, type, value.type);
  if (type.kind === 'geo_shape' && converted !== undefined) return { sql: `CAST(${pgString(JSON.stringify(converted))} AS json)`, type };
  return cast(value, type);
}

/** A cast; numbers and timestamps convert through epoch milliseconds, as in CrateDB. */
export function cast(value: Typed, type: CrateType): Typed {
  if ((type.kind === 'timestamptz' || type.kind === 'timestamp') && value.type && isNumeric(value.type)) {
    const ts = `to_timestamp(CAST(${value.sql} AS double precision) / 1000)`;
    return { sql: type.kind === 'timestamp' ? `(${ts} AT TIME ZONE 'UTC')` : ts, type };
  }
  if (type.kind === 'bigint' || type.kind === 'integer' || type.kind === 'smallint' || type.kind === 'byte') {
    if (value.type && (value.type.kind === 'timestamptz' || value.type.kind === 'timestamp')) {
      const epoch = value.type.kind === 'timestamp' ? `(${value.sql} AT TIME ZONE 'UTC')` : value.sql;
      return { sql: `CAST(EXTRACT(epoch FROM ${epoch}) * 1000 AS ${pgType(type)})`, type };
    }
    // Java's Number.intValue / longValue: a fraction is cut off (2.7 is 2, -2.7 is -2), where PG rounds.
    if (value.type && ['real', 'double', 'numeric'].includes(value.type.kind)) return { sql: `CAST(trunc(${value.sql}) AS ${pgType(type)})`, type };
  }
  if (type.kind === 'text' && value.type && (value.type.kind === 'timestamptz' || value.type.kind === 'timestamp')) {
    // CrateDB prints timestamps as ISO 8601 with milliseconds (UTC, `Z` with a time zone).
    const utc = value.type.kind === 'timestamptz' ? `(${value.sql} AT TIME ZONE 'UTC')` : value.sql;
    return { sql: `to_char(${utc}, 'YYYY-MM-DD"T"HH24:MI:SS.MS${value.type.kind === 'timestamptz' ? '"Z"' : ''}')`, type };
  }
  if (type.kind === 'text' && value.type?.kind === 'boolean') {
    return { sql: `(CASE WHEN ${value.sql} THEN 't' WHEN NOT ${value.sql} THEN 'f' END)`, type };
  }
  if (type.kind === 'text' && value.type?.kind === 'object') return { sql: `${SYSTEM_SCHEMA}.json_text(${value.sql})`, type };
  if (type.kind === 'boolean' && value.type && isNumeric(value.type)) {
    // BooleanType.booleanFromNumber: true above zero only; PG's int cast makes -1 true.
    return { sql: `(${value.sql} > 0)`, type };
  }
  if (type.kind === 'geo_point' && value.type?.kind === 'array') {
    // CrateDB casts a `[lon, lat]` array to a geo_point; PG has no array-to-point cast.
    return { sql: `point((${value.sql})[1], (${value.sql})[2])`, type };
  }
  if (type.kind === 'geo_point' && value.type?.kind === 'text') {
    // ... and a WKT `POINT (lon lat)` string, which PG's point input does not read.
    return { sql: `CAST(regexp_replace(${value.sql}, '^\\s*POINT\\s*\\(\\s*(\\S+)\\s+(\\S+)\\s*\\)\\s*$', '(\\1,\\2)', 'i') AS point)`, type };
  }
  return { sql: `CAST(${value.sql} AS ${pgType(type)})`, type };
}

function clockFunction(name: string, tx: Tx): Typed {
  tx.usesNow = true;
  if (name === 'current_date' || name === 'curdate') return { sql: `CAST(${NOW_MARK} AS date)`, type: { kind: 'date' } };
  return { sql: NOW_MARK, type: T.timestamptz };
}

function call(node: Ctx, scope: Scope, tx: Tx): Typed {
  const name = callName(node);
  const distinct = node.setQuant?.()?.getText().toUpperCase() === 'DISTINCT';
  let result: Typed | undefined;
  if (node.ASTERISK?.()) {
    if (name !== 'count') throw unsupportedFunction(`Unknown function: ${name}(*)`);
    result = { sql: 'count(*)', type: T.bigint };
  } else if (CLOCK_FUNCTIONS.has(name)) {
    result = clockFunction(name, tx);
  } else if (name === 'current_schema') {
    result = { sql: pgString(tx.env.schema), type: T.text };
  } else if (name === 'current_user' || name === 'session_user' || name === 'user' || name === 'current_role') {
    result = { sql: pgString(tx.env.user.name), type: T.text };
  } else if (name === 'knn_match') {
    result = knnMatch((node.expr() as Ctx[] | null) ?? [], scope, tx);
  } else {
    const argNodes = (node.expr() as Ctx[] | null) ?? [];
    const args = argNodes.map((a) => expr(a, scope, tx));
    const udf = () => udfCall(name, args, argNodes, tx);
    // A qualified name is a user-defined function's (pg_catalog's are built-ins); a plain one is a built-in first.
    const qualified = name.includes('.') && !name.startsWith('pg_catalog.');
    result = (qualified ? udf() : undefined) ?? mapFunction(name, args, { version: tx.env.version, distinct, searchPath: tx.env.searchPath, env: tx.env }) ?? (qualified ? undefined : udf());
    if (result === undefined) throw unsupportedFunction(`Unknown function: ${format(node)}`);
  }
  const filter = node.filter?.();
  if (filter) result = { ...result, sql: `${result.sql} FILTER (WHERE ${expr(filter.where().condition, scope, tx).sql})` };
  const over = node.over?.();
  if (over) result = { ...result, sql: `${result.sql} OVER ${windowDefinition(over.windowDefinition(), scope, tx)}` };
  return result;
}

function caseExpr(node: Ctx, scope: Scope, tx: Tx): Typed {
  const parts = ['CASE'];
  if (ruleName(node) === 'SimpleCaseContext') parts.push(expr(node.operand, scope, tx).sql);
  let type: CrateType | undefined;
  for (const w of node.whenClause() as Ctx[]) {
    const result = expr(w.result, scope, tx);
    type ??= result.type?.kind === 'undefined' ? undefined : result.type;
    parts.push(`WHEN ${expr(w.condition, scope, tx).sql} THEN ${result.sql}`);
  }
  if (node.elseExpr) parts.push(`ELSE ${expr(node.elseExpr, scope, tx).sql}`);
  parts.push('END');
  return { sql: `(${parts.join(' ')})`, ...(type ? { type } : {}) };
}

function arithmetic(node: Ctx, scope: Scope, tx: Tx): Typed {
  const l = expr(node.left, scope, tx);
  const r = expr(node.right, scope, tx);
  const op: string = node.operator.text;
  const type = widen(l.type, r.type);
  // ArithmeticFunctions has no byte or smallint variant: both go through the integer one (32767 + 1 is 32768).
  if (type?.kind === 'byte' || type?.kind === 'smallint') return { sql: `(CAST(${l.sql} AS integer) ${op} CAST(${r.sql} AS integer))`, type: T.integer };
  if (op === '^') return { sql: `power(${l.sql}, ${r.sql})`, type: T.double };
  // CrateDB: a timestamp minus a timestamp is an interval, a timestamp plus or minus an interval (either side) a timestamp.
  if (isTimestamp(l.type) && isTimestamp(r.type) && op === '-') return { sql: `(${l.sql} - ${r.sql})`, type: { kind: 'interval' } };
  if (l.type?.kind === 'interval' && isTimestamp(r.type)) return { sql: `(${l.sql} ${op} ${r.sql})`, type: r.type };
  return { sql: `(${l.sql} ${op} ${r.sql})`, ...(type ? { type } : {}) };
}

function isTimestamp(t?: CrateType): boolean {
  return t?.kind === 'timestamp' || t?.kind === 'timestamptz';
}

const NUMERIC_ORDER = ['byte', 'smallint', 'integer', 'bigint', 'numeric', 'real', 'double'];

function widen(a?: CrateType, b?: CrateType): CrateType | undefined {
  if (!a) return b;
  if (!b) return a;
  const ia = NUMERIC_ORDER.indexOf(a.kind);
  const ib = NUMERIC_ORDER.indexOf(b.kind);
  if (ia < 0 || ib < 0) return a;
  return ia >= ib ? a : b;
}


