/**
 * User-defined functions (CREATE [OR REPLACE] FUNCTION ... LANGUAGE JAVASCRIPT, DROP FUNCTION): kept in the
 * catalog like CrateDB's UserDefinedFunctionsMetadata, one per schema, name and argument types, listed in
 * information_schema.routines. A call translates to a lookup of the value JavaScript gave for those
 * arguments (udf-values.ts computes the ones a statement needs), converted to the declared return type.
 */
import { checkPrivileges } from './privileges.js';
import { CrateError, sqlParse, unsupportedFunction } from './errors.js';
import { cast } from './expr.js';
import { jsonTextAs } from './subscript.js';
import { callName, format } from './format.js';
import { constantOf } from './literals.js';
import { identName, parseExpression, qnameParts, ruleName, stringValue, type Ctx } from './parse.js';
import type { Catalog } from './catalog.js';
import { rowcountStatement, type Prepared } from './run.js';
import type { Env, Tx, Typed } from './scope.js';
import { SYSTEM_SCHEMA } from './storage.js';
import { isNumeric, T, typeFromNode, typeName, type CrateType } from './types.js';
import { forgetValues, validateJavaScript } from './udf-values.js';

export interface UdfDef {
  /** Changes when the function is replaced, so that values computed by its old body are not reused. */
  id: number;
  schema: string;
  name: string;
  args: Array<{ name?: string; type: CrateType }>;
  returnType: CrateType;
  language: string;
  definition: string;
}

/** `name(type, type)`: UserDefinedFunctionMetadata.specificName. */
export function specificName(name: string, types: readonly CrateType[]): string {
  return `${name}(${types.map(typeName).join(', ')})`;
}

export function udfKey(schema: string, name: string, types: readonly CrateType[]): string {
  return `${schema}.${specificName(name, types)}`;
}

let nextUdfId = 1;

export function prepareCreateFunction(node: Ctx, env: Env): Prepared {
  const parts = qnameParts(node.name ?? node.qname());
  const schema = parts.length > 1 ? parts[0]! : env.schema;
  const name = parts[parts.length - 1]!;
  const args = ((node.functionArgument() as Ctx[] | null) ?? []).map((a) => ({
    ...(a.name ? { name: identName(a.name) } : {}),
    type: typeFromNode(a.type ?? a.dataType()),
  }));
  const returnType = typeFromNode(node.returnType);
  const replace = Boolean(node.REPLACE?.());
  const languageText: string = node.language.getText();
  const bodyText: string = node.body.getText();
  // A parameter's index: `?` are numbered by position (the language's first), `$n` by n.
  let questionMarks = 0;
  const paramOf = (text: string): number | undefined => (text === '?' ? questionMarks++ : /^\$\d+$/.test(text) ? Number(text.slice(1)) - 1 : undefined);
  const languageParam = paramOf(languageText);
  const bodyParam = paramOf(bodyText);
  const maxParam = Math.max(0, (languageParam ?? -1) + 1, (bodyParam ?? -1) + 1);
  // LANGUAGE takes an identifier (or a parameter), AS a string literal (or a parameter).
  const languageWritten = languageParam === undefined ? identName(node.language.ident()) : undefined;
  const bodyWritten = bodyParam === undefined ? stringValue(bodyText) : undefined;
  return {
    returnsRows: false,
    maxParam,
    async run(ctx, runArgs) {
      checkPrivileges(env.user, [{ schema, type: 'DDL' }]);
      const language = (languageWritten ?? String(runArgs[languageParam!])).toLowerCase();
      const definition = bodyWritten ?? String(runArgs[bodyParam!]);
      if (language !== 'javascript') throw sqlParse(`'${language}' is not a valid UDF language`);
      const udf: UdfDef = { id: nextUdfId++, schema, name, args, returnType, language, definition };
      const key = udfKey(schema, name, args.map((a) => a.type));
      const { catalog } = ctx.state;
      if (!replace && catalog.functions.has(key)) {
        throw new CrateError(409, 4098, `UserDefinedFunctionAlreadyExistsException[User defined Function '${key}' already exists.]`);
      }
      const invalid = validateJavaScript(udf);
      if (invalid !== undefined) throw new CrateError(500, 5000, `ScriptException[javascript ScriptException: ${invalid}]`);
      const replaced = catalog.functions.get(key);
      if (replaced) await forgetValues(ctx.state.pg, replaced);
      catalog.functions.set(key, udf);
      catalog.touch();
      return { kind: 'count', rowcount: 1 };
    },
  };
}

export function prepareDropFunction(node: Ctx, env: Env): Prepared {
  const parts = qnameParts(node.name ?? node.qname());
  const schema = parts.length > 1 ? parts[0]! : env.schema;
  const name = parts[parts.length - 1]!;
  const types = ((node.functionArgument() as Ctx[] | null) ?? []).map((a) => typeFromNode(a.type ?? a.dataType()));
  const ifExists = Boolean(node.EXISTS?.());
  return rowcountStatement(async (ctx) => {
    checkPrivileges(env.user, [{ schema, type: 'DDL' }]);
    const { catalog } = ctx.state;
    const key = udfKey(schema, name, types);
    const dropped = catalog.functions.get(key);
    if (!dropped) {
      if (ifExists) return 1;
      // UserDefinedFunctionUnknownException joins the types without a space, unlike specificName.
      throw new CrateError(404, 4049, `UserDefinedFunctionUnknownException[Cannot resolve user defined function: '${schema}.${name}(${types.map(typeName).join(',')})']`);
    }
    ensureUnused(catalog, schema, name, types.length, env);
    catalog.functions.delete(key);
    await forgetValues(ctx.state.pg, dropped);
    catalog.touch();
    return 1;
  });
}

/**
 * UserDefinedFunctionService.ensureFunctionIsUnused: a generated column calling the function keeps it. A call
 * is matched by name and argument count (CrateDB compares the bound argument types, which the stored
 * expression text does not carry).
 */
function ensureUnused(catalog: Catalog, schema: string, name: string, arity: number, env: Env): void {
  for (const table of catalog.tables.values()) {
    for (const column of table.columns) {
      if (column.generated === undefined) continue;
      const calls = (node: Ctx): boolean => {
        if (ruleName(node) === 'FunctionCallContext') {
          const parts = callName(node).split('.');
          const callSchema = parts.length > 1 ? parts[0] : table.schema;
          if (parts[parts.length - 1] === name && callSchema === schema && ((node.expr() as Ctx[] | null) ?? []).length === arity) return true;
        }
        return ((node.children as Ctx[] | undefined) ?? []).some(calls);
      };
      if (calls(parseExpression(column.generated, env.version))) {
        throw sqlParse(`Cannot drop function '${schema}.${name}'. It is in use by column '${column.name}' of table '${table.schema}.${table.name}'`);
      }
    }
  }
}

/**
 * The call of a user-defined function, or undefined when `name` names none (a built-in is looked for
 * first when the name is not qualified, as Functions.get does; a qualified name is a UDF's).
 * An overload matches on the number of arguments and their types, a numeric argument also any numeric
 * declared type, a text literal ('2020-01-01' for a timestamp), NULL or an untyped parameter any type.
 */
export function udfCall(name: string, args: Typed[], argNodes: Ctx[], tx: Tx): Typed | undefined {
  const parts = name.split('.');
  const fn = parts[parts.length - 1]!;
  const schemas = parts.length > 1 ? [parts[0]!] : tx.env.searchPath;
  const candidates = [...tx.env.catalog.functions.values()].filter((u) => u.name === fn && schemas.includes(u.schema));
  if (candidates.length === 0) return undefined;
  const fits = (u: UdfDef, exact: boolean) => u.args.length === args.length && u.args.every((a, i) => {
    const t = args[i]!.type;
    if (t === undefined || t.kind === 'undefined' || typeName(t) === typeName(a.type)) return true;
    return !exact && ((isNumeric(t) && isNumeric(a.type)) || (t.kind === 'text' && constantOf(argNodes[i]!)?.kind === 'value'));
  });
  const byPath = (list: UdfDef[]) => schemas.map((s) => list.find((u) => u.schema === s)).find((u) => u !== undefined);
  const udf = byPath(candidates.filter((u) => fits(u, true))) ?? byPath(candidates.filter((u) => fits(u, false)));
  if (!udf) {
    const types = args.map((a) => typeName(a.type ?? T.undefined)).join(', ');
    const signatures = candidates.map((u) => `${u.schema}.${u.name}(${u.args.map((a) => typeName(a.type)).join(', ')}):${typeName(u.returnType)}`);
    throw unsupportedFunction(`Unknown function: ${name}(${argNodes.map((n) => format(n)).join(', ')}), no overload found for matching argument types: (${types}). Possible candidates: ${signatures.join(', ')}`);
  }
  if (tx.env.udfUse) tx.env.udfUse.used = true;
  const values = args.map((a, i) => cast(a, udf.args[i]!.type).sql);
  const lookup = `${SYSTEM_SCHEMA}.udf_value(${udf.id}, jsonb_build_array(${values.join(', ')}))`;
  return { sql: fromJsonb(lookup, udf.returnType), type: udf.returnType };
}

/** SQL reading the JSON value a function returned (already converted to the type, udf-values.ts) as `type`. */
function fromJsonb(v: string, type: CrateType): string {
  if (type.kind === 'object' || (type.kind === 'array' && type.element.kind === 'array')) return `NULLIF(${v}, 'null'::jsonb)`;
  if (type.kind === 'array') {
    return `(SELECT CASE WHEN jsonb_typeof(${v}) = 'array' THEN ARRAY(SELECT ${fromJsonb('e', type.element)} FROM jsonb_array_elements(${v}) e) END)`;
  }
  return jsonTextAs(`(${v} #>> '{}')`, type);
}

/** information_schema.routines rows of the functions (RoutineInfos), in the table's column order. */
export function udfRoutineRows(functions: ReadonlyMap<string, UdfDef>): unknown[][] {
  return [...functions.values()].map((u) => [
    typeName(u.returnType), true, u.language, u.definition, u.name, u.schema, 'FUNCTION', specificName(u.name, u.args.map((a) => a.type)),
  ]);
}
