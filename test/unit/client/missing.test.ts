import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { missingTable } from '../../../src/client/missing.js';
import type { CrateClient } from '../../../src/client/types.js';
import { CrateDbError } from '../../../src/errors.js';
import { createCrateHistory } from '../../../src/migrations/history.js';

// As CrateDB 6.4 answered a user without privileges on the schema (transcripts 05-auth).
const hidden = () => new CrateDbError("SchemaUnknownException[Schema 'cratedb_migrate' unknown]", 4045, 404, 'http://a:4200');
const unknownTable = () => new CrateDbError("RelationUnknown[Relation 'cratedb_migrate.migrations' unknown]", 4041, 404, 'http://a:4200');

describe('what an error on a table we own says', () => {
  it('4041 is missing for everyone; 4045 is missing for the superuser, missing-or-hidden for others', () => {
    expect(missingTable(unknownTable(), { user: 'migrator', password: 'x' })).toBe('missing');
    expect(missingTable(hidden(), undefined)).toBe('missing');
    expect(missingTable(hidden(), { user: 'crate' })).toBe('missing');
    expect(missingTable(hidden(), { user: 'migrator', password: 'x' })).toBe('missing-or-hidden');
    expect(missingTable(hidden(), { jwt: 'e30.e30.x' })).toBe('missing-or-hidden');
    expect(missingTable(new CrateDbError('x', 5002, 500, 'http://a:4200'), undefined)).toBeUndefined();
    expect(missingTable(new Error('x'), undefined)).toBeUndefined();
  });

  it('the history reads as empty either way, and warns with the GRANT when the schema may be hidden', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const client = { refresh: async () => Promise.reject(hidden()) } as unknown as CrateClient;
    const table = { schema: 'cratedb_migrate', table: 'migrations' };

    expect(await createCrateHistory(client, table, { auth: { user: 'crate' }, logger }).list()).toEqual([]);
    expect(lines).toEqual([]);

    expect(await createCrateHistory(client, table, { auth: { user: 'migrator', password: 'secret' }, logger }).list()).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'history-not-visible' });
    expect(lines[0]).toContain('GRANT DQL, DML, DDL ON SCHEMA \\"cratedb_migrate\\" TO \\"migrator\\"');
    expect(lines[0]).not.toContain('secret');
  });
});
