/**
 * Answers lost after the statement reached CrateDB (the test server closes the connection without an
 * answer). A write whose answer was lost may or may not have been applied: the tool must neither repeat it
 * nor report it done. A read whose answer was lost is repeated on another server without the caller noticing.
 */
import { describe, expect, it } from 'vitest';
import {
  ConnectionError,
  FailedStateError,
  MigrationError,
  migrate,
  status,
  type RunResult,
} from '../../../src/index.js';
import type { RequestRecord } from '../../server/index.js';
import { caught } from '../../support/caught.js';
import type { ResolvedConfig } from '../../../src/index.js';
import { needsTestServer } from '../../support/crate.js';
import { countRows, historyRows, logger, tablesOf, useFaultCluster } from './fixture.js';

const cluster = useFaultCluster({ nodes: 3 });
const project = (overrides?: Partial<ResolvedConfig>) => cluster.project(overrides);

const steps = (r: RunResult) => r.steps.map((s) => [s.name, s.status, s.statementsRun, s.statementsTotal]);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The requests since `from` whose statement starts with `prefix`. */
function sentSince(from: number, prefix: string): RequestRecord[] {
  return cluster.crate.server!.requests.slice(from).filter((r) => r.stmt.startsWith(prefix));
}

describe('an answer lost after a write was applied', () => {
  it("on a migration's DDL: not retried, not recorded applied; the history says failed at that statement", async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'dropping an answer');
    const server = cluster.crate.server!;
    const p = await project();
    await p.write(
      'migrations/001_three.sql',
      `-- migrate:up
CREATE TABLE ${p.table('a')} (id TEXT PRIMARY KEY);
CREATE TABLE ${p.table('b')} (id TEXT PRIMARY KEY);
CREATE TABLE ${p.table('c')} (id TEXT);
-- migrate:down
DROP TABLE IF EXISTS ${p.table('c')};
DROP TABLE IF EXISTS ${p.table('b')};
DROP TABLE IF EXISTS ${p.table('a')};
`,
    );
    const createB = `CREATE TABLE ${p.table('b')}`;
    server.faults.dropAnswer({ match: new RegExp(`^${escape(createB)}`) });
    const seen = server.requests.length;

    const err = await caught(migrate({ config: p.config, logger }), MigrationError);
    expect(err.cause).toBeInstanceOf(ConnectionError);
    expect((err.cause as ConnectionError).sent).toBe(true);
    // Counted: it was sent and may have been applied, and statements_run never under-counts.
    expect(steps(err.result as RunResult)).toEqual([['001_three', 'failed', 2, 3]]);
    // Sent once: repeating a DDL statement whose outcome is unknown is not the client's call.
    expect(sentSince(seen, createB).map((r) => r.status)).toEqual(['dropped']);

    // The statement was applied by the server, the third never ran, and the history does not claim either.
    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['a', 'b']);
    const [row] = await historyRows(cluster.crate, p);
    expect(row!.slice(0, 5)).toEqual(['001_three', 1, 'failed', 2, 3]);
    expect(row![5]).toContain('migrations/001_three.sql:3');
    expect(row![5]).toContain('may or may not have been applied');

    // A plain CREATE TABLE is not safe to send twice: the next up names the line and the two ways out.
    const refused = await caught(migrate({ config: p.config, logger }), FailedStateError);
    expect(refused.message).toContain('migrations/001_three.sql:3');
    expect(refused.message).toContain('--in-flight done');
    const report = await status({ config: p.config, logger });
    expect(report.migrations.map((m) => [m.name, m.state, m.statementsRun])).toEqual([['001_three', 'failed', 2]]);

    // It was applied (table b exists): --in-flight done continues after it, with the third statement only.
    expect(steps(await migrate({ config: p.config, logger, inFlight: 'done' }))).toEqual([['001_three', 'applied', 3, 3]]);
    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['a', 'b', 'c']);
    expect(sentSince(seen, createB).map((r) => r.status)).toEqual(['dropped']);
  });

  it('on the history write that records success: the run fails, and the row is left running, never applied', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'dropping an answer');
    const server = cluster.crate.server!;
    const p = await project();
    await p.write(
      'migrations/001_one.sql',
      `-- migrate:up\nCREATE TABLE ${p.table('a')} (id TEXT);\n-- migrate:down\nDROP TABLE IF EXISTS ${p.table('a')};\n`,
    );
    const history = `"${p.config.historyTable.schema}"."migrations"`;
    // Lost before it ran: the row keeps what the runner wrote before the statement.
    server.faults.dropAnswer({ match: new RegExp(`^UPDATE ${escape(history)} SET status = `) }, { applied: false });

    const err = await caught(migrate({ config: p.config, logger }), MigrationError);
    const [step] = (err.result as RunResult).steps;
    expect([step!.status, step!.statementsRun]).toEqual(['failed', 1]);
    expect(step!.error).toContain('could not be recorded');

    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['a']);
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 3))).toEqual([['001_one', 1, 'running']]);
    const refused = await caught(migrate({ config: p.config, logger }), FailedStateError);
    expect(refused.items).toMatchObject([{ name: '001_one', status: 'running' }]);
    // What the caller can branch on: the tool's ConnectionError, not the HTTP library's socket error.
    expect(err.cause).toBeInstanceOf(ConnectionError);
    expect((err.cause as ConnectionError).sent).toBe(true);
  });
});

describe('an answer lost to a REFRESH inside a migration', () => {
  it('leaves no row that blocks: the next up re-sends the REFRESH (safe to repeat) and finishes', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'dropping an answer');
    const server = cluster.crate.server!;
    const p = await project();
    const t = p.table('t');
    await p.write('migrations/001_r.sql', `-- migrate:up\nCREATE TABLE ${t} (id TEXT PRIMARY KEY);\nINSERT INTO ${t} (id) VALUES ('a');\nREFRESH TABLE ${t};\nINSERT INTO ${t} (id) VALUES ('b');\n`);
    server.faults.dropAnswer({ match: new RegExp(`^REFRESH TABLE ${escape(t)}$`) });
    await caught(migrate({ config: p.config, logger }), MigrationError);
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 4))).toEqual([['001_r', 1, 'failed', 3]]);
    // status says what happened; the next up heals it without a person.
    expect(steps(await migrate({ config: p.config, logger }))).toEqual([['001_r', 'applied', 4, 4]]);
    expect(await countRows(cluster.crate, t)).toBe(2);
  });
});

describe('an answer lost on a read', () => {
  it('the history read, its REFRESH and the lock read are repeated on another server, transparently', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'dropping an answer');
    const server = cluster.crate.server!;
    const p = await project();
    await p.write('migrations/001_a.sql', `-- migrate:up\nCREATE TABLE ${p.table('a')} (id TEXT);\n`);
    await migrate({ config: p.config, logger });
    await p.write('migrations/002_b.sql', `-- migrate:up\nCREATE TABLE ${p.table('b')} (id TEXT);\n`);

    const history = `"${p.config.historyTable.schema}"."migrations"`;
    const lock = `"${p.config.lockTable.schema}"."lock"`;
    const reads = [`SELECT name, version, seq`, `REFRESH TABLE ${history}`, `SELECT owner, acquired_at`];
    // The history SELECT loses two answers in a row: the third server answers it.
    server.faults.dropAnswer({ match: new RegExp(`^${escape(reads[0]!)}.* FROM ${escape(history)}`), times: 2 });
    server.faults.dropAnswer({ match: new RegExp(`^${escape(reads[1]!)}`) });
    server.faults.dropAnswer({ match: new RegExp(`^${escape(reads[2]!)}.* FROM ${escape(lock)}`) });
    const seen = server.requests.length;

    const result = await migrate({ config: p.config, logger });
    expect(steps(result)).toEqual([['002_b', 'applied', 1, 1]]);
    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['a', 'b']);
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 3))).toEqual([
      ['001_a', 1, 'applied'],
      ['002_b', 2, 'applied'],
    ]);

    for (const [i, prefix] of reads.entries()) {
      const sent = sentSince(seen, prefix);
      const lost = i === 0 ? 2 : 1;
      // The first attempts were lost, and the next one, on a server not yet tried for it, answered.
      expect(sent.slice(0, lost + 1).map((r) => r.status)).toEqual([...Array<string>(lost).fill('dropped'), 200]);
      expect(new Set(sent.slice(0, lost + 1).map((r) => r.node)).size).toBe(lost + 1);
    }
  });

  it('with a single server a lost read answer is not repeated: ConnectionError with sent: true', async (ctx) => {
    needsTestServer(ctx, cluster.crate, 'dropping an answer');
    const server = cluster.crate.server!;
    const p = await project();
    await p.write('migrations/001_a.sql', `-- migrate:up\nCREATE TABLE ${p.table('a')} (id TEXT);\n`);
    await migrate({ config: p.config, logger });
    const history = `"${p.config.historyTable.schema}"."migrations"`;
    const select = new RegExp(`^SELECT name, version, seq.* FROM ${escape(history)}`);
    server.faults.dropAnswer({ match: select });
    const seen = server.requests.length;

    const err = await caught(status({ config: { ...p.config, servers: [p.config.servers[0]!] }, logger }), ConnectionError);
    expect(err.sent).toBe(true);
    expect(server.requests.slice(seen).filter((r) => select.test(r.stmt)).map((r) => r.status)).toEqual(['dropped']);
  });
});
