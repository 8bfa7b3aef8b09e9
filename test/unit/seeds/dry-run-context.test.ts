import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { CrateClient } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { UsageError } from '../../../src/errors.js';
import { createMigrationContext } from '../../../src/migrations/context.js';
import { readOnlyContext } from '../../../src/seeds/dry-run-context.js';
import { caught } from '../../support/caught.js';

/** A client that records what reaches it: in a dry run only reads may. */
function recording(): CrateClient & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    sql: async (stmt) => (sent.push(stmt), { cols: [], rows: [], rowcount: 0, durationMs: 0 }),
    bulk: async (stmt) => (sent.push(stmt), { results: [], durationMs: 0 }),
    refresh: async (tables) => void sent.push(`REFRESH ${tables.length}`),
    ping: async () => ({ server: 'x', version: '6.4.3' }),
    close: async () => {},
  };
}

describe('the dry-run context of a code seed', () => {
  const setup = () => {
    const client = recording();
    const ctx = createMigrationContext({ client, config: defaultConfig(), logger: pino({ level: 'silent' }), signal: new AbortController().signal });
    return { client, dry: readOnlyContext(ctx) };
  };

  it('lets reads through, through ctx.sql and ctx.client alike', async () => {
    const { client, dry } = setup();
    await dry.sql('-- a comment\nSELECT 1');
    await dry.client.sql('WITH x AS (SELECT 1) SELECT * FROM x');
    expect(client.sent).toEqual(['-- a comment\nSELECT 1', 'WITH x AS (SELECT 1) SELECT * FROM x']);
  });

  it('refuses every write, also through ctx.client, and sends nothing', async () => {
    const { client, dry } = setup();
    await caught(dry.sql('INSERT INTO t (a) VALUES (1)'), UsageError);
    await caught(dry.bulk('INSERT INTO t (a) VALUES (?)', [[1]]), UsageError);
    await caught(dry.client.sql('/* sneaky */ DELETE FROM t'), UsageError);
    await caught(dry.client.bulk('UPDATE t SET a = ?', [[1]]), UsageError);
    await dry.refresh('t');
    await dry.client.refresh([{ schema: 'doc', table: 't' }]);
    expect(client.sent).toEqual([]);
  });
});
