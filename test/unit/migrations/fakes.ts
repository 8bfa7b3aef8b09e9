/** In-memory stand-ins for the migration runner's unit tests: a file system, and a CrateClient that
 * records what it is sent and fails the statements a test names. */
import path from 'node:path';
import pino from 'pino';
import type { BulkResult, CrateClient, QueryOptions, SqlResult, TableRef } from '../../../src/client/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { ResolvedConfig } from '../../../src/config/types.js';
import { AbortedError, CrateDbError, LockTimeoutError } from '../../../src/errors.js';
import type { HistoryRow, HistoryStore } from '../../../src/migrations/history.js';
import type { MigrationLock } from '../../../src/migrations/lock.js';
import type { CheckResult, Finding } from '../../../src/migrations/check/types.js';
import type { MigrationFile, SourceFs } from '../../../src/migrations/source.js';

export const ROOT = '/project';
export const DIR = path.join(ROOT, 'migrations');

/** A directory of files in memory; `files` can be changed between calls. */
export function memoryFs(files: Record<string, string>): SourceFs & { files: Record<string, string> } {
  const fs = {
    files,
    async readdir(dir: string) {
      if (dir !== DIR) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
      return Object.keys(fs.files);
    },
    async readFile(file: string) {
      const text = fs.files[path.basename(file)];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      return new TextEncoder().encode(text);
    },
  };
  return fs;
}

export function testConfig(overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { ...defaultConfig(['http://127.0.0.1:1'], ROOT), ...overrides };
}

export const silent = pino({ level: 'silent' });

export interface Sent {
  stmt: string;
  origin?: { file: string; line: number };
}

/** Records statements; `failOn(text)` makes every statement containing `text` fail like CrateDB does. */
export function recordingClient(): CrateClient & { sent: Sent[]; refreshed: TableRef[][]; failOn(text: string, code?: number): void } {
  const failures: Array<{ text: string; code: number }> = [];
  const sent: Sent[] = [];
  const refreshed: TableRef[][] = [];
  const ok = (): SqlResult => ({ cols: [], rows: [[]], rowcount: 1, durationMs: 0 });
  return {
    sent,
    refreshed,
    failOn(text, code = 4000) {
      failures.push({ text, code });
    },
    async sql(stmt: string, _args?: readonly unknown[], options?: QueryOptions) {
      sent.push({ stmt, ...(options?.origin ? { origin: options.origin } : {}) });
      const failure = failures.find((f) => stmt.includes(f.text));
      if (failure) {
        const where = options?.origin ? `${options.origin.file}:${options.origin.line}: ` : '';
        throw new CrateDbError(`${where}SQLParseException[boom]`, failure.code, 400, 'fake', stmt, options?.origin);
      }
      return ok();
    },
    async bulk(_stmt: string, rows: readonly (readonly unknown[])[]): Promise<BulkResult> {
      return { results: rows.map(() => ({ rowcount: 1 })), durationMs: 0 };
    },
    async refresh(tables: readonly TableRef[]) {
      refreshed.push([...tables]);
    },
    async ping() {
      return { server: 'fake', version: '6.4.3' };
    },
    async close() {},
  };
}

/** The history in memory, held to the same contract as the CrateDB store (history-contract.ts). Rows are
 * copied in and out. */
export function createMemoryHistory(initial: readonly HistoryRow[] = []): HistoryStore & { rows: Map<string, HistoryRow> } {
  const rows = new Map(initial.map((r) => [r.name, { ...r }]));
  const patch = (key: string, set: Partial<HistoryRow>) => {
    const row = rows.get(key);
    if (row) rows.set(key, { ...row, ...set });
  };
  return {
    location: 'memory',
    rows,
    async ensure() {},
    async list() {
      return [...rows.values()].sort((a, b) => a.seq - b.seq).map((r) => ({ ...r }));
    },
    async markRunning(entry) {
      rows.set(entry.name, {
        ...entry,
        status: 'running',
        finishedAt: null,
        durationMs: null,
        error: null,
        baseline: false,
      });
    },
    async markProgress(key, statementsRun) {
      patch(key, { statementsRun, inFlight: true });
    },
    async markApplied(key, done) {
      patch(key, { status: 'applied', ...done, error: null, inFlight: false });
    },
    async markFailed(key, done) {
      patch(key, { status: 'failed', ...done });
    },
    async remove(key) {
      rows.delete(key);
    },
    async updateChecksum(key, checksum) {
      patch(key, { checksum });
    },
    async markBaseline(entry) {
      if (rows.has(entry.name)) throw new Error(`duplicate key ${entry.name}`);
      rows.set(entry.name, {
        ...entry,
        status: 'applied',
        startedAt: null,
        durationMs: null,
        statementsRun: 0,
        statementsTotal: null,
        error: null,
        direction: null,
        lockOwner: null,
        statementHashes: null,
        inFlight: false,
        baseline: true,
      });
    },
  };
}

/** An in-process lock held to the lock contract (lock-contract.ts): one holder, waiters queue in order,
 * give up after `waitMs` or on their signal; the lease is never lost. `createMemoryLock()` handles share
 * one lock, like processes sharing one lock row. */
export function createMemoryLock(shared: { holder: string | null; queue: Array<() => void> } = { holder: null, queue: [] }) {
  let n = 0;
  const handle = (waitMs = Number.POSITIVE_INFINITY): MigrationLock => ({
    async acquire(signal) {
      const owner = `memory#${++n}`;
      while (shared.holder !== null) {
        await new Promise<void>((resolve, reject) => {
          const wake = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          const leave = (err: Error) => {
            shared.queue.splice(shared.queue.indexOf(wake), 1);
            clearTimeout(timer);
            reject(err);
          };
          const onAbort = () => leave(new AbortedError('aborted while waiting for the migration lock'));
          const timer = Number.isFinite(waitMs) ? setTimeout(() => leave(new LockTimeoutError(`held by ${shared.holder}`, shared.holder)), waitMs) : undefined;
          signal?.addEventListener('abort', onAbort, { once: true });
          shared.queue.push(wake);
        });
      }
      shared.holder = owner;
      return {
        owner,
        signal: new AbortController().signal,
        confirm: async () => {},
        release: async () => {
          shared.holder = null;
          shared.queue.shift()?.();
        },
      };
    },
    async holder() {
      return shared.holder === null ? null : { owner: shared.holder, acquiredAt: null, expiresAt: new Date(8.64e15), live: true };
    },
  });
  return Object.assign(handle(), { handle });
}

/** The runner's `check` option without the cluster: reports `findings` and records the names it was asked
 * to check, one list per call. */
export function fakeCheck(findings: Finding[] = []): ((files: readonly MigrationFile[]) => Promise<CheckResult>) & { calls: string[][] } {
  const calls: string[][] = [];
  const check = async (files: readonly MigrationFile[]): Promise<CheckResult> => {
    calls.push(files.map((f) => f.name));
    return {
      findings,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      checked: files.map((f) => f.name),
      notChecked: [],
    };
  };
  return Object.assign(check, { calls });
}
