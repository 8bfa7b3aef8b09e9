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
 * The migrations among `names` that are not applied: no history row with status `applied`, read by primary
 * key `name` (real-time). A missing history table means nothing is applied.
 */
export async function missingMigrations(
  client: CrateClient,
  historyTable: TableRef,
  names: readonly string[],
  auth: Auth | undefined,
  signal?: AbortSignal,
): Promise<MissingMigrations> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      const r = await client.sql(`SELECT status FROM ${qualifiedName(historyTable)} WHERE name = ?`, [name], {
        readOnly: true,
        signal,
      });
      if (r.rows[0]?.[0] !== 'applied') missing.push(name);
    } catch (err) {
      const why = missingTable(err, auth);
      if (why === undefined) throw err;
      return { names: [...names], ...(why === 'missing-or-hidden' ? { hint: grantHint(historyTable.schema, auth) } : {}) };
    }
  }
  return { names: missing };
}
