/**
 * CrateDB's error answers: `{"error": {"message": "<Exception>[<text>]", "code": N}}` with an HTTP
 * status that follows from the code. Everything the engine rejects is thrown as a CrateError and
 * turned into that body in one place (engine.ts).
 */

/** One CrateDB error: HTTP status, CrateDB error code and the full `Exception[text]` message. */
export class CrateError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'CrateError';
  }
}

/** `SQLParseException[...]` (4000): analysis errors, casts, constraint violations. */
export function sqlParse(text: string): CrateError {
  return new CrateError(400, 4000, `SQLParseException[${text}]`);
}

export function unsupportedFeature(text: string): CrateError {
  return new CrateError(400, 4004, `UnsupportedFeatureException[${text}]`);
}

export function unsupportedFunction(text: string): CrateError {
  return new CrateError(400, 4004, `UnsupportedFunctionException[${text}]`);
}

/** 4041; with the closest existing name CrateDB adds `. Maybe you meant '<name>'`. */
export function relationUnknown(name: string, candidates: readonly string[] = []): CrateError {
  const wanted = name.split('.').at(-1)!;
  const close = closest(wanted, candidates);
  return new CrateError(404, 4041, `RelationUnknown[Relation '${name}' unknown${close ? `. Maybe you meant '${close}'` : ''}]`);
}

/** The candidate most like `name` (edit distance at most half the longer name), if any. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const c of candidates) {
    const score = 1 - editDistance(name, c) / Math.max(name.length, c.length);
    if (score >= 0.5 && (!best || score > best.score)) best = { name: c, score };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

export function schemaUnknown(name: string): CrateError {
  return new CrateError(404, 4045, `SchemaUnknownException[Schema '${name}' unknown]`);
}

export function columnUnknown(name: string): CrateError {
  return new CrateError(404, 4043, `ColumnUnknownException[Column ${name} unknown]`);
}

/** `ColumnValidationException` (4003): CrateDB's answer for a column a statement may not write. */
export function columnValidation(column: string, text: string): CrateError {
  return new CrateError(400, 4003, `ColumnValidationException[Validation failed for ${column}: ${text}]`);
}

export function relationExists(fqn: string): CrateError {
  return new CrateError(409, 4093, `RelationAlreadyExists[Relation '${fqn}' already exists.]`);
}

export function duplicateKey(): CrateError {
  return new CrateError(409, 4091, 'DuplicateKeyException[A document with the same primary key exists already]');
}

export function missingPrivilege(type: string, user: string): CrateError {
  return new CrateError(401, 4011, `MissingPrivilegeException[Missing '${type}' privilege for user '${user}']`);
}

/** The body of an error answer. */
export function errorBody(error: CrateError): { error: { message: string; code: number } } {
  return { error: { message: error.message, code: error.code } };
}
