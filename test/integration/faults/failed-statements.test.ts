/**
 * An error answer (a proxy's bare 5xx, or a CrateDB 5xx error) to the Nth statement of a migration: the
 * statements before it stay applied (CrateDB has no transactions), the history says `failed` with
 * `statements_run = N-1` and the error, the next `up` refuses, and `down` or `repair` lead out of it.
 */
import { describe, expect, it } from 'vitest';
import {
  CrateDbError,
  FailedStateError,
  MigrationError,
  migrate,
  repair,
  rollback,
  type RunResult,
} from '../../../src/index.js';
import type { CrateErrorAnswer } from '../../server/index.js';
import { caught } from '../../support/caught.js';
import type { ResolvedConfig } from '../../../src/index.js';
import { needsTestServer } from '../../support/crate.js';
import { countRows, historyRows, logger, tablesOf, useFaultCluster } from './fixture.js';

const cluster = useFaultCluster({ nodes: 2 });
const project = (overrides?: Partial<ResolvedConfig>) => cluster.project(overrides);

const steps = (r: RunResult) => r.steps.map((s) => [s.name, s.status, s.statementsRun, s.statementsTotal]);

interface Case {
  what: string;
  answer: number | CrateErrorAnswer;
  /** What the failure carries: CrateDB's code (0 for a bare answer) and HTTP status, and a word of its message. */
  crateCode: number;
  httpStatus: number;
  says: string;
  recover: 'rollback' | 'repair';
}

const cases: Case[] = [
  { what: 'a bare HTTP 503', answer: 503, crateCode: 0, httpStatus: 503, says: 'HTTP 503', recover: 'rollback' },
  {
    what: 'a CrateDB 5002 error',
    answer: { status: 500, code: 5002, message: 'UnavailableShardsException[[t][0] primary shard is not active]' },
    crateCode: 5002,
    httpStatus: 500,
    says: 'UnavailableShardsException',
    recover: 'repair',
  },
];

describe('an error answer to the 3rd of 4 statements', () => {
  it.for(cases)('$what: failed with statements_run 2; $recover recovers', async (c, ctx) => {
    needsTestServer(ctx, cluster.crate, 'an injected error answer');
    const p = await project();
    const t = p.table('t');
    // Every statement can run again (IF NOT EXISTS, DO NOTHING): repair makes the migration pending, and
    // it then runs again from its first statement.
    await p.write(
      'migrations/001_four.sql',
      `-- migrate:up
CREATE TABLE IF NOT EXISTS ${t} (id TEXT PRIMARY KEY);
INSERT INTO ${t} (id) VALUES ('1') ON CONFLICT (id) DO NOTHING;
INSERT INTO ${t} (id) VALUES ('2') ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS ${p.table('u')} (id TEXT);
-- migrate:down
DROP TABLE IF EXISTS ${p.table('u')};
DROP TABLE IF EXISTS ${t};
`,
    );
    // Counts only the migration's own statements (the history lives in `${schema}_migrate`).
    cluster.crate.server!.faults.fail(c.answer, { match: (stmt) => stmt.includes(`"${p.schema}".`), nth: 3 });

    const err = await caught(migrate({ config: p.config, logger }), MigrationError);
    expect([err.code, err.migration, err.direction]).toEqual(['CM_MIGRATION', '001_four', 'up']);
    expect(steps(err.result as RunResult)).toEqual([['001_four', 'failed', 2, 4]]);
    expect(err.cause).toBeInstanceOf(CrateDbError);
    const cause = err.cause as CrateDbError;
    expect([cause.crateCode, cause.httpStatus]).toEqual([c.crateCode, c.httpStatus]);
    expect(cause.origin).toEqual({ file: 'migrations/001_four.sql', line: 4 });

    const [row] = await historyRows(cluster.crate, p);
    expect(row!.slice(0, 5)).toEqual(['001_four', 1, 'failed', 2, 4]);
    expect(row![5]).toContain('migrations/001_four.sql:4');
    expect(row![5]).toContain(c.says);
    // The two statements before it stay applied; the failed one and the one after it did not run.
    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['t']);
    expect(await countRows(cluster.crate, t)).toBe(1);

    const refused = await caught(migrate({ config: p.config, logger }), FailedStateError);
    expect(refused.items).toEqual([{ name: '001_four', status: 'failed', error: row![5] }]);

    if (c.recover === 'rollback') {
      expect(steps(await rollback({ config: p.config, logger }))).toEqual([['001_four', 'reverted', 2, 2]]);
      expect(await tablesOf(cluster.crate, p.schema)).toEqual([]);
      expect(await historyRows(cluster.crate, p)).toEqual([]);
    } else {
      expect(await repair({ config: p.config, logger })).toEqual({ checksumsUpdated: [], removedMissing: [], removedFailed: ['001_four'], restored: [] });
      expect(await historyRows(cluster.crate, p)).toEqual([]);
    }
    expect(steps(await migrate({ config: p.config, logger }))).toEqual([['001_four', 'applied', 4, 4]]);
    expect(await tablesOf(cluster.crate, p.schema)).toEqual(['t', 'u']);
    expect(await countRows(cluster.crate, t)).toBe(2);
    expect((await historyRows(cluster.crate, p)).map((r) => r.slice(0, 5))).toEqual([['001_four', 1, 'applied', 4, 4]]);
  });
});
