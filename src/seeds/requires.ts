import { qualifiedName } from '../client/identifiers.js';
import { grantHint, missingTable } from '../client/missing.js';
import type { CrateClient, TableRef } from '../client/types.js';
import type { Auth } from '../config/types.js';

/** Required migrations that are not applied, and, when the history could not be seen, why that may be. */
export interface MissingMigrations {
  names: string[];
  /** Set when the history schema is unknown to a user other than the superuser: it may exist, hidden. */
  hint?: string;
}

/**
 * The migrations among `names` that are not applied: no history row with status `applied`. One request for
 * all of them, by primary key (`name = ? OR name = ?`: a lookup of whole keys, real-time without REFRESH).
 * A missing history table means nothing is applied.
 */
export async function missingMigrations(
  client: CrateClient,
  historyTable: TableRef,
  names: readonly string[],
  auth: Auth | undefined,
  signal?: AbortSignal,
): Promise<MissingMigrations> {
  if (names.length === 0) return { names: [] };
  const unique = [...new Set(names)];
  try {
    const r = await client.sql(
      `SELECT name, status FROM ${qualifiedName(historyTable)} WHERE ${unique.map(() => 'name = ?').join(' OR ')}`,
      unique,
      { readOnly: true, signal },
    );
    const applied = new Set(r.rows.filter((row) => row[1] === 'applied').map((row) => row[0]));
    return { names: names.filter((name) => !applied.has(name)) };
  } catch (err) {
    const why = missingTable(err, auth);
    if (why === undefined) throw err;
    return { names: [...names], ...(why === 'missing-or-hidden' ? { hint: grantHint(historyTable.schema, auth) } : {}) };
  }
}
