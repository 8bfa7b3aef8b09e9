import type { Auth } from '../config/types.js';
import { CrateDbError } from '../errors.js';

/** Whether the configured credentials are CrateDB's superuser `crate` (also the user without credentials). */
export function isSuperuser(auth: Auth | undefined): boolean {
  return auth === undefined || ('user' in auth && auth.user === 'crate');
}

/** Whether CrateDB answered "no such table" (4041) or "no such schema" (4045). */
export function isMissingRelation(err: unknown): err is CrateDbError {
  return err instanceof CrateDbError && (err.crateCode === 4041 || err.crateCode === 4045);
}

/**
 * What an error on a table this package owns says about that table. 4041: it does not exist yet. 4045
 * ("schema unknown") means the same for the superuser, but CrateDB also answers 4045 to a user who may not
 * see the schema (transcripts 05-auth), so for any other user it is "missing, or hidden from you".
 * Both read as "not created yet", as a first run needs; callers warn in the second case.
 */
export function missingTable(err: unknown, auth: Auth | undefined): 'missing' | 'missing-or-hidden' | undefined {
  if (!isMissingRelation(err)) return undefined;
  return err.crateCode === 4041 || isSuperuser(auth) ? 'missing' : 'missing-or-hidden';
}

/** The hint for 'missing-or-hidden': the privileges that make the schema visible. */
export function grantHint(schema: string, auth: Auth | undefined): string {
  const user = auth && 'user' in auth ? `"${auth.user}"` : 'the JWT user';
  return `if it exists, ${user} may not see it: GRANT DQL, DML, DDL ON SCHEMA "${schema}" TO ${user}`;
}
