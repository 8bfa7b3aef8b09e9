import type { CrateClient, TableRef } from '../../client/types.js';
import { qualifiedName } from '../../client/identifiers.js';
import { CrateDbError } from '../../errors.js';
import type { SqlGrammar } from '../sql-grammar.js';
import { blocksWrites, parseCreateTable } from './table-definition.js';
import { tokensOf } from './tokens.js';
import type { LiveTable, TableReader } from './types.js';

/**
 * Reads tables for the check, read-only: information_schema.tables (existence, shards, `blocks.write`),
 * SHOW CREATE TABLE (columns, key, indexes, CHECKs, CLUSTERED BY: information_schema has no CHECK
 * expressions or fulltext indexes) and `count(*)`, which like CrateDB's own "isn't empty" test sees
 * refreshed rows only. A 4045 (a schema this user cannot see) reads as "not there": CrateDB hides it.
 */
export function createTableReader(client: CrateClient, grammar: SqlGrammar): TableReader {
  return async (ref: TableRef): Promise<LiveTable | null> => {
    const found = await client.sql(
      // `settings` whole: a sub-column such as settings['blocks']['write'] is not known to every server.
      'SELECT table_type, number_of_shards, settings FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
      [ref.schema, ref.table],
      { readOnly: true },
    );
    const row = found.rows[0];
    if (!row) return null;
    if (row[0] === 'VIEW') return { definition: null, createSql: null, rows: 0, blocksWrite: false, shards: null };
    try {
      const shown = await client.sql(`SHOW CREATE TABLE ${qualifiedName(ref)}`, [], { readOnly: true });
      const counted = await client.sql(`SELECT count(*) FROM ${qualifiedName(ref)}`, [], { readOnly: true });
      const createSql = String(shown.rows[0]?.[0] ?? '');
      const definition = parseCreateTable(tokensOf(grammar, createSql))?.definition ?? null;
      return {
        definition,
        createSql,
        rows: Number(counted.rows[0]?.[0] ?? 0),
        blocksWrite: blockedBy(row[2] as { blocks?: { write?: unknown; read_only?: unknown } } | null, definition?.settings ?? {}),
        shards: typeof row[1] === 'number' ? row[1] : null,
      };
    } catch (err) {
      if (err instanceof CrateDbError && (err.crateCode === 4041 || err.crateCode === 4045)) return null;
      throw err;
    }
  };
}

/** A write block (or a read-only one, which blocks writes too) from information_schema's settings object
 * or the WITH clause SHOW CREATE TABLE prints. */
function blockedBy(settings: { blocks?: { write?: unknown; read_only?: unknown } } | null, shown: Record<string, string>): boolean {
  return settings?.blocks?.write === true || settings?.blocks?.read_only === true || blocksWrites(shown);
}
