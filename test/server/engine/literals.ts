/**
 * Reading constant values out of the parse tree (literals, parameters, array and object literals of
 * them), for the places where CrateDB semantics are applied in JS: INSERT values, routing keys,
 * primary-key lookups.
 */
import { format } from './format.js';
import { identName, ruleName, stringValue, type Ctx } from './parse.js';
import { T, type CrateType } from './types.js';

/** Grammar rules that only wrap their single child (translation and formatting look through them). */
export const WRAPPER_RULES: ReadonlySet<string> = new Set([
  'ExprContext',
  'BooleanDefaultContext',
  'ValueExpressionDefaultContext',
  'DefaultParamOrLiteralContext',
  'SimpleLiteralContext',
  'ParameterOrSimpleLiteralContext',
  'NumericLiteralContext',
  'ExprValueItemContext',
  'ExplicitFunctionDefaultContext',
  'SubqueryExpressionDefaultContext',
]);

/** Descends through the single-child wrapper rules down to the node that means something. */
export function unwrap(node: Ctx): Ctx {
  let n = node;
  for (;;) {
    const rule = ruleName(n);
    if (WRAPPER_RULES.has(rule)) n = n.children[0];
    else if (rule === 'PredicatedContext' && !n.predicate()) n = n.valueExpression();
    else return n;
  }
}

/** A constant: a literal value with the type CrateDB gives it, or a parameter reference. */
export type Constant =
  | { kind: 'value'; value: unknown; type: CrateType; text: string }
  | { kind: 'param'; index: number; tokenIndex: number; explicit?: number; each?: true };

/** The constant an expression is, or undefined when it needs evaluating. */
export function constantOf(node: Ctx): Constant | undefined {
  const n = unwrap(node);
  switch (ruleName(n)) {
    case 'NullLiteralContext':
      return { kind: 'value', value: null, type: T.undefined, text: 'NULL' };
    case 'StringLiteralContext':
    case 'EscapedCharsStringLiteralContext':
      return { kind: 'value', value: stringValue(n.getText()), type: T.text, text: format(n) };
    case 'IntegerLiteralContext': {
      const text: string = n.getText();
      const big = BigInt(text);
      const type = big > 2147483647n ? T.bigint : T.integer;
      return { kind: 'value', value: Number(text), type, text: format(n) };
    }
    case 'DecimalLiteralContext':
      return { kind: 'value', value: Number(n.getText()), type: T.double, text: format(n) };
    case 'BooleanLiteralContext':
      return { kind: 'value', value: n.getText().toLowerCase() === 'true', type: T.boolean, text: format(n) };
    case 'ArithmeticUnaryContext': {
      const inner = constantOf(n.valueExpression());
      if (inner?.kind !== 'value' || typeof inner.value !== 'number') return undefined;
      return n.operator.text === '-' ? { ...inner, value: -inner.value, text: `-${inner.text}` } : inner;
    }
    case 'ParameterPlaceholderContext':
      return { kind: 'param', index: 0, tokenIndex: n.start.tokenIndex };
    case 'PositionalParameterContext':
      return { kind: 'param', index: 0, tokenIndex: n.start.tokenIndex, explicit: Number(n.integerLiteral().getText()) };
    case 'ArrayLiteralContext':
    case 'EmptyArrayContext': {
      const items = ((n.expr?.() as Ctx[] | null) ?? []).map(constantOf);
      if (items.some((i) => i === undefined || i.kind !== 'value')) return undefined;
      const values = items as Array<Extract<Constant, { kind: 'value' }>>;
      const element = values.find((v) => v.type.kind !== 'undefined')?.type ?? T.undefined;
      return { kind: 'value', value: values.map((v) => v.value), type: T.array(element), text: format(n) };
    }
    case 'ObjectLiteralContext': {
      const obj: Record<string, unknown> = {};
      for (const kv of (n.objectKeyValue() as Ctx[]) ?? []) {
        const v = constantOf(kv.value);
        if (v?.kind !== 'value') return undefined;
        obj[identName(kv.key)] = v.value;
      }
      return { kind: 'value', value: obj, type: T.object(), text: format(n) };
    }
    default:
      return undefined;
  }
}
