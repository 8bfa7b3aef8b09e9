/** The behaviour every HistoryStore must have, run against the memory store (unit) and the CrateDB
 * store (integration). */
import { describe, expect, it } from 'vitest';
import type { HistoryStore, RunningEntry } from '../../../src/migrations/history.js';

const entry = (name: string, seq: number, over: Partial<RunningEntry> = {}): RunningEntry => ({
  name,
  version: Number(name.slice(0, 3)),
  seq,
  checksum: `sum-${name}`,
  appliedBy: 'me@host',
  statementsTotal: 3,
  startedAt: new Date(Date.UTC(2026, 10, 25, 12, 0, 0)),
  direction: 'up',
  lockOwner: 'me@host:1#abcd',
  statementHashes: ['aaaa', 'bbbb', 'cccc'],
  statementsRun: 0,
  inFlight: false,
  ...over,
});

export function describeHistoryStore(name: string, create: () => Promise<HistoryStore>): void {
  describe(`HistoryStore: ${name}`, () => {
    it('lists nothing before ensure, without creating anything', async () => {
      const store = await create();
      expect(await store.list()).toEqual([]);
      await store.ensure();
      await store.ensure();
      expect(await store.list()).toEqual([]);
    });

    it('records running, progress, applied and failed, and lists by seq', async () => {
      const store = await create();
      await store.ensure();
      await store.markRunning(entry('002_b', 2));
      await store.markRunning(entry('001_a', 1, { statementsTotal: null }));
      await store.markProgress('002_b', 2);
      let rows = await store.list();
      expect(rows.map((r) => [r.name, r.seq, r.status, r.statementsRun, r.statementsTotal, r.error])).toEqual([
        ['001_a', 1, 'running', 0, null, null],
        ['002_b', 2, 'running', 2, 3, null],
      ]);
      expect(rows[0]!.startedAt).toEqual(new Date(Date.UTC(2026, 10, 25, 12, 0, 0)));
      expect(rows[0]!.finishedAt).toBeNull();

      const finishedAt = new Date(Date.UTC(2026, 10, 25, 12, 0, 5));
      await store.markApplied('001_a', { finishedAt, durationMs: 5000, statementsRun: 4 });
      await store.markFailed('002_b', { finishedAt, durationMs: 12, statementsRun: 2, error: 'migrations/002_b.sql:7: boom', inFlight: true });
      rows = await store.list();
      expect(rows.map((r) => [r.name, r.version, r.status, r.statementsRun, r.durationMs, r.error, r.appliedBy, r.checksum])).toEqual([
        ['001_a', 1, 'applied', 4, 5000, null, 'me@host', 'sum-001_a'],
        ['002_b', 2, 'failed', 2, 12, 'migrations/002_b.sql:7: boom', 'me@host', 'sum-002_b'],
      ]);
      expect(rows[0]!.finishedAt).toEqual(finishedAt);
      expect(rows.map((r) => [r.direction, r.lockOwner, r.statementHashes, r.inFlight])).toEqual([
        ['up', 'me@host:1#abcd', ['aaaa', 'bbbb', 'cccc'], false],
        ['up', 'me@host:1#abcd', ['aaaa', 'bbbb', 'cccc'], true],
      ]);
    });

    it('keeps what a resumed or reverting run records: direction, owner, hashes, counts in flight', async () => {
      const store = await create();
      await store.ensure();
      await store.markRunning(entry('001_a', 1, { direction: 'down', statementHashes: null, statementsRun: 2, inFlight: true, lockOwner: 'x@y:2#ffff' }));
      let [row] = await store.list();
      expect([row!.direction, row!.lockOwner, row!.statementHashes, row!.statementsRun, row!.inFlight]).toEqual(['down', 'x@y:2#ffff', null, 2, true]);
      await store.markProgress('001_a', 3);
      [row] = await store.list();
      expect([row!.statementsRun, row!.inFlight]).toEqual([3, true]);
      await store.markFailed('001_a', { finishedAt: new Date(), durationMs: 1, statementsRun: 2, error: 'aborted', inFlight: false });
      [row] = await store.list();
      expect([row!.status, row!.statementsRun, row!.inFlight, row!.direction]).toEqual(['failed', 2, false, 'down']);
    });

    it('markRunning overwrites a row (a down starting), updateChecksum and remove', async () => {
      const store = await create();
      await store.ensure();
      await store.markRunning(entry('001_a', 1));
      await store.markFailed('001_a', { finishedAt: new Date(), durationMs: 1, statementsRun: 1, error: 'x', inFlight: false });
      await store.markRunning(entry('001_a', 1, { statementsTotal: 1 }));
      let [row] = await store.list();
      expect([row!.status, row!.statementsRun, row!.statementsTotal, row!.error]).toEqual(['running', 0, 1, null]);
      await store.updateChecksum('001_a', 'new-sum');
      [row] = await store.list();
      expect(row!.checksum).toBe('new-sum');
      await store.remove('001_a');
      expect(await store.list()).toEqual([]);
    });

    it('markBaseline records an applied row with no statement run, told apart from a run one', async () => {
      const store = await create();
      await store.ensure();
      const finishedAt = new Date(Date.UTC(2026, 10, 25, 12, 0, 9));
      await store.markBaseline({ name: '001_a', version: 1, seq: 1, checksum: 'sum-001_a', appliedBy: 'me@host', finishedAt });
      await store.markRunning(entry('002_b', 2));
      await store.markApplied('002_b', { finishedAt, durationMs: 3, statementsRun: 3 });
      const rows = await store.list();
      expect(rows.map((r) => [r.name, r.status, r.baseline, r.statementsRun, r.checksum, r.appliedBy, r.inFlight])).toEqual([
        ['001_a', 'applied', true, 0, 'sum-001_a', 'me@host', false],
        ['002_b', 'applied', false, 3, 'sum-002_b', 'me@host', false],
      ]);
      expect(rows[0]!.finishedAt).toEqual(finishedAt);
    });
  });
}
