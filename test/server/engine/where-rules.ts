/**
 * What CrateDB refuses in a WHERE clause before it plans anything (WhereClauseValidator and
 * WhereClause.validateVersioningColumnsUsage): `_score` only as `_score >= literal`, the versioning
 * columns only as `col = literal`, never under NOT; `_seq_no` only with `_primary_term`, neither with
 * `_version`; `_raw` nowhere; no table or window functions. PG would run most of these, or fail with
 * its own wording.
 */
import { CrateError, sqlParse, unsupportedFeature } from './errors.js';
import { constantOf, WRAPPER_RULES } from './literals.js';
import { identName, ruleName, type Ctx } from './parse.js';

const SCORE_ERROR = "System column '_score' can only be used within a '>=' comparison without any surrounded predicate";
const VERSION_USAGE = '"_version" column can only be used in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns';
const SEQ_NO_USAGE = '"_seq_no" and "_primary_term" columns can only be used together in the WHERE clause with equals comparisons and if there are also equals comparisons on primary key columns';
const MIXED_USAGE = '"_version" column cannot be used in conjunction with the "_seq_no" and "_primary_term" columns. Use one of the two versioning mechanisms, but not both at the same time.';

/** Table functions CrateDB has (a WHERE may not call them). */
const TABLE_FUNCTIONS = new Set(['unnest', 'generate_series', 'regexp_matches', 'pg_get_keywords', 'information_schema._pg_expandarray']);

function versioning(message: string): CrateError {
  return new CrateError(400, 4000, `VersioningValidationException[${message}]`);
}

/** `_version` used without a full key equality (or with anything but `=`). */
export const versionUsage = (): CrateError => versioning(VERSION_USAGE);
/** `_seq_no` / `_primary_term` used apart, or without a full key equality. */
export const seqNoUsage = (): CrateError => versioning(SEQ_NO_USAGE);

/** Throws CrateDB's error for the first rule `where` breaks. */
export function validateWhere(where: Ctx): void {
  const named = new Set<string>();
  visit(where, named);
  if (named.has('_seq_no') !== named.has('_primary_term')) throw seqNoUsage();
  if (named.has('_seq_no') && named.has('_version')) throw versioning(MIXED_USAGE);
}

function visit(node: Ctx, named: Set<string>): void {
  const rule = ruleName(node);
  if (rule === 'FunctionCallContext') checkFunction(node);
  if (rule === 'ColumnReferenceContext' || rule === 'DereferenceContext') {
    const parts = rule === 'ColumnReferenceContext' ? [identName(node.ident())] : (node.ident() as Ctx[]).map(identName);
    const name = parts[parts.length - 1]!;
    named.add(name);
    checkSystemColumn(node, name);
  }
  for (const c of (node.children as Ctx[] | null) ?? []) if (c.children) visit(c, named);
}

function checkFunction(node: Ctx): void {
  if (node.over?.()) throw sqlParse('Window functions are not allowed in WHERE');
  const name = (node.qname().ident() as Ctx[]).map(identName).join('.').toLowerCase();
  if (TABLE_FUNCTIONS.has(name)) throw unsupportedFeature('Table functions are not allowed in WHERE');
}

function checkSystemColumn(ref: Ctx, name: string): void {
  if (name === '_raw') throw unsupportedFeature('The _raw column is not searchable and cannot be used inside a query');
  const allowed = name === '_score' ? ['>='] : name === '_version' || name === '_seq_no' || name === '_primary_term' ? ['='] : undefined;
  if (!allowed) return;
  const fail = (): CrateError => (name === '_score' ? unsupportedFeature(SCORE_ERROR) : name === '_version' ? versionUsage() : seqNoUsage());
  // The comparison the column is the left operand of, past the wrappers the grammar puts around it.
  let child = ref;
  let parent: Ctx | undefined = ref.parentCtx;
  while (parent && WRAPPER_RULES.has(ruleName(parent))) {
    child = parent;
    parent = parent.parentCtx;
  }
  const pred = parent && ruleName(parent) === 'PredicatedContext' ? parent.predicate() : undefined;
  const compared = pred && ruleName(pred) === 'ComparisonContext' && parent!.valueExpression() === child;
  if (!compared || !allowed.includes(pred.cmpOp().getText()) || constantOf(pred.right) === undefined) throw fail();
  for (let a: Ctx | undefined = parent; a; a = a.parentCtx) if (ruleName(a) === 'LogicalNotContext') throw fail();
}
