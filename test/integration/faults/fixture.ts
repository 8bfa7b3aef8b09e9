/**
 * A throw-away project for one fault test: a temp directory with `migrations/` and `seeds/`, and a config
 * whose names all live in schemas of the test's own (`<crate schema>_<n>` for its tables, `..._migrate` for
 * the history, lock and seed tracking), with short lock times so that a test's traffic stays bounded.
 * Tests drive the public API (src/index.ts) with these configs, as a user's program would.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { defaultConfig, type ResolvedConfig } from '../../../src/index.js';
import { parseServerUrl } from '../../../src/config/urls.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startCrate, type CrateTarget, type StartCrateOptions } from '../../support/crate.js';

/** Every test's logger: the tool's log lines are not what these tests look at. */
export const logger = pino({ level: 'silent' });

let counter = 0;

export interface FaultProject {
  /** This project's schema for its own tables. */
  schema: string;
  /** Servers in the target's node order: node 0 first. */
  config: ResolvedConfig;
  /** The same config with the servers rotated so that node `first` is tried first. */
  configFrom(first: number): ResolvedConfig;
  /** Writes a file below the project root, e.g. `migrations/001_a.sql`. */
  write(file: string, text: string): Promise<void>;
  /** `"schema"."table"` of a table of this project. */
  table(name: string): string;
  close(): Promise<void>;
}

export async function createFaultProject(crate: CrateTarget, overrides: Partial<ResolvedConfig> = {}): Promise<FaultProject> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'cm-faults-'));
  await mkdir(path.join(root, 'migrations'));
  await mkdir(path.join(root, 'seeds'));
  const schema = `${crate.schema}_${++counter}`;
  const parsed = crate.urls.map((u) => {
    const p = parseServerUrl(u);
    if ('error' in p) throw new Error(`test target URL ${p.error}`);
    return p;
  });
  const first = parsed[0]!;
  const tracking = `${schema}_migrate`;
  const config: ResolvedConfig = {
    ...defaultConfig(parsed.map((p) => p.server), root),
    ...(first.user ? { auth: { user: first.user, ...(first.password ? { password: first.password } : {}) } } : {}),
    schema,
    historyTable: { schema: tracking, table: 'migrations' },
    lockTable: { schema: tracking, table: 'lock' },
    seedsTable: { schema: tracking, table: 'seeds' },
    placeholders: { schema },
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 20_000,
    lock: { leaseMs: 3_000, waitMs: 20_000 },
    ...overrides,
  };
  return {
    schema,
    config,
    configFrom(start) {
      const n = config.servers.length;
      return { ...config, servers: config.servers.map((_, i) => config.servers[(start + i) % n]!) };
    },
    write: async (file, text) => {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    },
    table: (name) => `"${schema}"."${name}"`,
    close: () => rm(root, { recursive: true, force: true }),
  };
}

/** The history rows as `[name, seq, status, statements_run, statements_total, error]`, by seq; [] without a table. */
export async function historyRows(crate: CrateTarget, p: FaultProject): Promise<unknown[][]> {
  const { schema, table } = p.config.historyTable;
  const exists = await crate.sql('SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [schema, table]);
  if (exists.rows[0]![0] === 0) return [];
  const name = `"${schema}"."${table}"`;
  await crate.sql(`REFRESH TABLE ${name}`);
  return (await crate.sql(`SELECT name, seq, status, statements_run, statements_total, error FROM ${name} ORDER BY seq`)).rows;
}

/** The tables of `schema`, by name. */
export async function tablesOf(crate: CrateTarget, schema: string): Promise<string[]> {
  const res = await crate.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [schema]);
  return res.rows.map((r) => r[0] as string);
}

/** Rows of a table after a REFRESH, read by a search: what a user would see. */
export async function countRows(crate: CrateTarget, table: string): Promise<number> {
  await crate.sql(`REFRESH TABLE ${table}`);
  return Number((await crate.sql(`SELECT count(*) FROM ${table}`)).rows[0]![0]);
}

export interface FaultCluster {
  /** The test server (or real CrateDB), set once `beforeAll` ran. */
  readonly crate: CrateTarget;
  /** A new project, closed after the test. */
  project(overrides?: Partial<ResolvedConfig>): Promise<FaultProject>;
}

/** Starts one cluster for a test file; after each test clears the faults, restarts stopped nodes and
 * closes the test's projects, so that no fault leaks into the next test. */
export function useFaultCluster(options: StartCrateOptions): FaultCluster {
  let crate: CrateTarget | undefined;
  const projects: FaultProject[] = [];
  beforeAll(async () => {
    crate = await startCrate(options);
  });
  afterAll(() => crate?.close());
  afterEach(async () => {
    if (crate?.server) {
      crate.server.faults.clear();
      for (const node of crate.server.nodes) await node.start();
    }
    for (const p of projects.splice(0)) await p.close();
  });
  return {
    get crate() {
      if (!crate) throw new Error('the cluster starts in beforeAll');
      return crate;
    },
    async project(overrides = {}) {
      const p = await createFaultProject(this.crate, overrides);
      projects.push(p);
      return p;
    },
  };
}
