import { qualifiedName } from '../client/identifiers.js';
import type { CrateClient, TableRef } from '../client/types.js';
import { isMissingTable } from './tracking.js';

/**
 * The migrations among `names` that are not applied: no history row with status `applied`, read by primary
 * key `name` (real-time). A missing history table means nothing is applied.
 */
export async function missingMigrations(
  client: CrateClient,
  historyTable: TableRef,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    try {
      const r = await client.sql(`SELECT status FROM ${qualifiedName(historyTable)} WHERE name = ?`, [name], {
        readOnly: true,
        signal,
      });
      if (r.rows[0]?.[0] !== 'applied') missing.push(name);
    } catch (err) {
      if (!isMissingTable(err)) throw err;
      return [...names];
    }
  }
  return missing;
}
