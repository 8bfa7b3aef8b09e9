import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrationContext } from '../../../src/migrations/context.js';
import { startCrate, type CrateTarget } from '../../support/crate.js';
import { createProject, type TestProject } from './project.js';

let crate: CrateTarget;
let project: TestProject;
beforeAll(async () => {
  crate = await startCrate();
  project = await createProject(crate);
});
afterAll(async () => {
  await project?.close();
  await crate?.close();
});

describe('introspection for code migrations', () => {
  it('ctx.tableExists, ctx.columns and ctx.serverVersion read the cluster as CrateDB reports it', async () => {
    const s = project.schema;
    await crate.sql(
      `CREATE TABLE "${s}".rich (id BIGINT PRIMARY KEY, name TEXT NOT NULL, qty INTEGER DEFAULT 0, qty2 INTEGER GENERATED ALWAYS AS qty * 2, tags ARRAY(TEXT))`,
    );
    await crate.sql(`CREATE VIEW "${s}".rich_v AS SELECT id FROM "${s}".rich`);
    const ctx = createMigrationContext({ client: project.client, config: project.config, logger: pino({ level: 'silent' }), signal: new AbortController().signal });

    expect(await ctx.tableExists('rich')).toBe(true); // the config's schema
    expect(await ctx.tableExists({ schema: s, table: 'rich' })).toBe(true);
    expect(await ctx.tableExists(`${s}.nope`)).toBe(false);
    expect(await ctx.tableExists('rich_v')).toBe(false); // a view is not a table

    const columns = await ctx.columns('rich');
    expect(columns.map((c) => [c.name, c.type, c.position, c.nullable])).toEqual([
      ['id', 'bigint', 1, false],
      ['name', 'text', 2, false],
      ['qty', 'integer', 3, true],
      ['qty2', 'integer', 4, true],
      ['tags', 'text_array', 5, true],
    ]);
    expect(columns[2]!.default).toBe('0');
    expect(columns[3]!.generated).toMatch(/qty/);
    expect(columns[0]!.generated).toBeNull();
    expect(await ctx.columns('nope')).toEqual([]);

    const version = await ctx.serverVersion();
    const [[number]] = (await crate.sql("SELECT version['number'] FROM sys.nodes LIMIT 1")).rows as [[string]];
    expect(version.number).toBe(number);
    expect(`${version.major}.${version.minor}.${version.patch}`).toBe(number.match(/^\d+\.\d+\.\d+/)![0]);
    // Introspection is not a migration statement: nothing counted.
    expect(ctx.statementsRun).toBe(0);
  });
});
