import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { needsTestServer, startCrate, type CrateTarget } from '../../support/crate.js';

const tablesOf = async (target: CrateTarget, schemas: string[]) =>
  (
    await target.sql(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN (${schemas.map(() => '?').join(', ')}) ORDER BY 1, 2`,
      schemas,
    )
  ).rows;

// This file tests both modes with the in-process server standing in for the "real" CrateDB, so an
// outer CRATEDB_URL is set aside while it runs.
const outer = process.env.CRATEDB_URL;

describe('startCrate', () => {
  let observer: CrateTarget;
  beforeAll(async () => {
    delete process.env.CRATEDB_URL;
    observer = await startCrate();
  });
  afterAll(async () => {
    await observer?.close();
    if (outer !== undefined) process.env.CRATEDB_URL = outer;
  });
  afterEach(() => {
    delete process.env.CRATEDB_URL;
    vi.restoreAllMocks();
  });

  it('starts the test server with a fresh schema, and close() drops only that schema and its derived ones', async () => {
    const target = await startCrate({ nodes: 2 });
    expect(target.real).toBe(false);
    expect(target.server?.nodes).toHaveLength(2);
    expect(target.urls).toEqual(target.server?.urls);
    expect(target.schema).toMatch(/^cmt_[0-9a-f]{8}$/);
    expect(target.schema).not.toBe(observer.schema);
    const { schema } = target;
    await target.sql(`CREATE TABLE "${schema}"."t" (id TEXT PRIMARY KEY)`);
    await target.sql(`CREATE TABLE "${schema}_migrate"."h" (id TEXT PRIMARY KEY)`);
    await target.sql(`CREATE TABLE "${observer.schema}"."keep" (id TEXT PRIMARY KEY)`);
    await target.close();
    expect(await tablesOf(observer, [schema, `${schema}_migrate`, observer.schema])).toEqual([[observer.schema, 'keep']]);
  });

  it('returns the CrateDB of CRATEDB_URL (every listed server) without starting a server', async () => {
    const direct = `${observer.urls[0]}, http://127.0.0.1:9`;
    process.env.CRATEDB_URL = direct;
    const target = await startCrate();
    expect(target.real).toBe(true);
    expect(target.server).toBeUndefined();
    expect(target.urls).toEqual([observer.urls[0], 'http://127.0.0.1:9']);
    await target.sql(`CREATE TABLE "${target.schema}"."t" (id TEXT PRIMARY KEY)`);
    await target.close();
    expect(await tablesOf(observer, [target.schema])).toEqual([]);
  });

  it('needsTestServer lets a fault test run on the test server and skips it, saying why, on a real CrateDB', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const skip = vi.fn((note?: string): never => {
      throw new Error(`skip: ${note}`);
    });
    needsTestServer({ skip }, observer, 'node loss');
    expect(skip).not.toHaveBeenCalled();
    expect(() => needsTestServer({ skip }, { ...observer, real: true, server: undefined }, 'node loss')).toThrow(
      "skip: skipped against real CrateDB: node loss needs the test server's fault injection",
    );
    expect(warn).toHaveBeenCalledWith("skipped against real CrateDB: node loss needs the test server's fault injection");
  });
});
