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

export function relationUnknown(name: string): CrateError {
  return new CrateError(404, 4041, `RelationUnknown[Relation '${name}' unknown]`);
}

export function schemaUnknown(name: string): CrateError {
  return new CrateError(404, 4045, `SchemaUnknownException[Schema '${name}' unknown]`);
}

export function columnUnknown(name: string): CrateError {
  return new CrateError(404, 4043, `ColumnUnknownException[Column ${name} unknown]`);
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
