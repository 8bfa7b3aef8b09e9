import type { CrateClient, TableRef } from '../client/types.js';
import type { Logger } from 'pino';
import { qualifiedName } from '../client/identifiers.js';
import { grantHint, missingTable } from '../client/missing.js';
import type { Auth } from '../config/types.js';
import { CrateDbError } from '../errors.js';
import { whileShardsStart } from '../client/shard-start.js';

/** A history row's state. `running`: started, not finished (or its process died); `failed`: stopped on an
 * error with `statements_run` statements applied (CrateDB has no transactions to undo them). */
export type HistoryStatus = 'running' | 'applied' | 'failed';

/** One row of the history table (columns fixed in docs/architecture.md, "Tables this package owns"). */
export interface HistoryRow {
  /** File name without extension, the primary key. */
  name: string;
  version: number;
  /** Applied order: `down` reverts by descending `seq`; never order by timestamps. */
  seq: number;
  checksum: string;
  status: HistoryStatus;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** user@host of the process that ran it. */
  appliedBy: string | null;
  /** Statements SENT: recorded before each statement goes out, so it never under-counts. When `inFlight`,
   * the last of them may or may not have been applied (the process died, or its answer was lost). */
  statementsRun: number;
  /** Statements in the section being run; null for code migrations (unknown in advance). */
  statementsTotal: number | null;
  /** CrateDB's message with the statement's file:line, or "aborted". */
  error: string | null;
  /** The section a `running`/`failed` row was running; null in rows written before this column existed. */
  direction: 'up' | 'down' | null;
  /** The lock owner (user@host:pid#random) that wrote the row: a `running` row whose owner no longer holds
   * the lock was left by a dead runner. */
  lockOwner: string | null;
  /** `statementHash` of each statement of the section being run (SQL migrations): a resumed run checks
   * that the statements it skips are unchanged. */
  statementHashes: string[] | null;
  /** The last statement counted in `statementsRun` may or may not have run. */
  inFlight: boolean;
  /** Recorded by `baseline` as applied without running it (the cluster already had what it makes);
   * `down` refuses to revert it unless asked to (`includeBaseline`). False in rows written before. */
  baseline: boolean;
}

/** What the runner records when a section starts (or resumes). */
export type RunningEntry = Pick<
  HistoryRow,
  'name' | 'version' | 'seq' | 'checksum' | 'appliedBy' | 'statementsTotal' | 'direction' | 'lockOwner' | 'statementHashes' | 'statementsRun' | 'inFlight'
> & {
  startedAt: Date;
};

/**
 * Where applied migrations are recorded. How to implement one:
 * 1. `list()` returns every row ordered by `seq`, and `[]` when the table does not exist yet (a dry run
 *    must not create it); it must see every write made before it, by any process.
 * 2. `ensure()` creates the storage if missing and is safe to call from several processes at once.
 * 3. Each `mark*` writes one row by its name; callers hold the migration lock, so there is no contention.
 */
export interface HistoryStore {
  /** Where the rows live, for messages: `"cratedb_migrate"."migrations"`. */
  readonly location: string;
  ensure(): Promise<void>;
  /** `brief`: only name, version, seq, checksum and status need be read (what tells pending, applied and
   * broken rows apart); the other fields may read as null, 0 or false. A store may return whole rows.
   * `unrefreshed`: the read may miss the writes of the last moments (CrateDB: one refresh interval); a
   * store that is always current ignores it. */
  list(options?: { brief?: boolean; unrefreshed?: boolean }): Promise<HistoryRow[]>;
  /** Inserts or overwrites the row as `running` with the entry's counts, no error (before the first
   * statement it sends). */
  markRunning(entry: RunningEntry): Promise<void>;
  /** Records that `statementsRun` statements have been sent, the last one now in flight. */
  markProgress(name: string, statementsRun: number): Promise<void>;
  markApplied(name: string, done: { finishedAt: Date; durationMs: number; statementsRun: number }): Promise<void>;
  markFailed(name: string, done: { finishedAt: Date; durationMs: number; statementsRun: number; error: string; inFlight: boolean }): Promise<void>;
  remove(name: string): Promise<void>;
  /** `repair`: the stored checksum is realigned to the file. */
  updateChecksum(name: string, checksum: string): Promise<void>;
  /** `baseline`: inserts the row as `applied` with `baseline` set, no statement run. */
  markBaseline(entry: BaselineEntry): Promise<void>;
}

/** What `baseline` records for one migration. */
export type BaselineEntry = Pick<HistoryRow, 'name' | 'version' | 'seq' | 'checksum' | 'appliedBy'> & { finishedAt: Date };

/** The columns of a history table made by cratedb-migrate 0.1. */
const BASE_COLUMNS = [
  'name',
  'version',
  'seq',
  'checksum',
  'status',
  'started_at',
  'finished_at',
  'duration_ms',
  'applied_by',
  'statements_run',
  'statements_total',
  'error',
] as const;
/** Columns added since, by release, oldest first: a table made by an older release lacks the later groups. */
const ADDED_COLUMNS: ReadonlyArray<Readonly<Record<string, string>>> = [
  { direction: 'TEXT', lock_owner: 'TEXT', statement_hashes: 'TEXT', in_flight: 'BOOLEAN' },
  { baseline: 'BOOLEAN' },
];
/** The columns of a table made by each release, newest first: `COLUMN_SETS[0]` is the current one. */
const COLUMN_SETS: ReadonlyArray<readonly string[]> = [
  ...ADDED_COLUMNS.map((_, i) => [...BASE_COLUMNS, ...ADDED_COLUMNS.slice(0, ADDED_COLUMNS.length - i).flatMap((group) => Object.keys(group))]),
  BASE_COLUMNS,
];
const COLUMNS = COLUMN_SETS[0]!;
/** The columns of a brief `list()`: what tells pending, applied (by checksum) and broken rows apart and
 * orders versions, all a no-op `up` reads at every start-up. The rest (statement_hashes holds a hash per
 * statement, the bulk of a row) matters only for a broken row or a run, read whole then. */
const BRIEF_COLUMNS = new Set(['name', 'version', 'seq', 'checksum', 'status']);

/**
 * The history table in CrateDB. Rows are written by primary key, which CrateDB applies in real time, so
 * writes need no REFRESH; `list()` is the one search and refreshes the table first, so the next process
 * and a crash survivor see every row (unless asked for an `unrefreshed` read: the no-op start-up's first). A table made by an older version gets its new columns added by
 * `ensure()` (CrateDB has no ADD COLUMN IF NOT EXISTS), and is read without them until then.
 */
export function createCrateHistory(
  client: CrateClient,
  table: TableRef,
  options: { auth?: Auth; logger?: Logger } = {},
): HistoryStore {
  const name = qualifiedName(table);
  const logger = options.logger;
  let exists = false;
  /** Groups of ADDED_COLUMNS the table lacks (seen by a read that named them): the last `missing` ones. */
  let missing = 0;
  /** A whole read has set `missing`; a brief one names too few columns to tell. */
  let columnsKnown = false;

  const update = async (set: Record<string, unknown>, key: string) => {
    const cols = Object.keys(set);
    await client.sql(`UPDATE ${name} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE name = ?`, [...Object.values(set), key]);
  };
  const select = (columns: readonly string[], refresh: boolean) =>
    whileShardsStart(
      async () => {
        if (refresh) await client.refresh([table], { readOnly: true });
        return client.sql(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY seq`, [], { readOnly: true });
      },
      { logger, what: name },
    );

  /** Reads with the newest set of columns the table has (4043: a column an older release did not make).
   * Only a whole read learns which groups are missing: a brief one does not name them all. */
  const selectKnown = async (brief: boolean, refresh = true) => {
    for (let i = missing; ; i++) {
      try {
        const result = await select(brief ? COLUMN_SETS[i]!.filter((c) => BRIEF_COLUMNS.has(c)) : COLUMN_SETS[i]!, refresh);
        if (!brief) [missing, columnsKnown] = [i, true];
        return result;
      } catch (err) {
        if (!(err instanceof CrateDbError && err.crateCode === 4043) || i === COLUMN_SETS.length - 1) throw err;
      }
    }
  };

  return {
    location: name,
    async ensure() {
      // Only brief reads so far: which columns the table lacks is not known yet.
      if (exists && !columnsKnown) await selectKnown(false);
      if (exists && missing === 0) return;
      if (!exists) {
        await client.sql(
          `CREATE TABLE IF NOT EXISTS ${name} (
  name TEXT PRIMARY KEY, version BIGINT, seq BIGINT, checksum TEXT, status TEXT,
  started_at TIMESTAMP WITH TIME ZONE, finished_at TIMESTAMP WITH TIME ZONE, duration_ms BIGINT,
  applied_by TEXT, statements_run INTEGER, statements_total INTEGER, error TEXT,
  direction TEXT, lock_owner TEXT, statement_hashes TEXT, in_flight BOOLEAN, baseline BOOLEAN
) CLUSTERED INTO 1 SHARDS WITH (number_of_replicas = '0-2')`,
        );
        exists = true;
      }
      if (missing > 0) {
        const added = Object.entries(Object.assign({}, ...ADDED_COLUMNS.slice(-missing)) as Record<string, string>);
        for (const [column, type] of added) await client.sql(`ALTER TABLE ${name} ADD COLUMN ${column} ${type}`);
        missing = 0;
        logger?.info({ event: 'history-upgraded', table: name, added: added.map(([c]) => c) }, `added columns to ${name}`);
      }
    },
    async list(read = {}) {
      try {
        const result = await selectKnown(read.brief === true, read.unrefreshed !== true);
        exists = true;
        return result.rows.map(rowReader(result.cols));
      } catch (err) {
        const missing = missingTable(err, options.auth);
        if (missing === undefined) throw err;
        if (missing === 'missing-or-hidden') {
          logger?.warn({ event: 'history-not-visible', table: name }, `${name} reads as empty: ${grantHint(table.schema, options.auth)}`);
        }
        return [];
      }
    },
    async markRunning(entry) {
      const values = [
        entry.name,
        entry.version,
        entry.seq,
        entry.checksum,
        'running',
        entry.startedAt.getTime(),
        null,
        null,
        entry.appliedBy,
        entry.statementsRun,
        entry.statementsTotal,
        null,
        entry.direction,
        entry.lockOwner,
        entry.statementHashes === null ? null : JSON.stringify(entry.statementHashes),
        entry.inFlight,
        false,
      ];
      const updates = COLUMNS.filter((c) => c !== 'name').map((c) => `${c} = excluded.${c}`);
      await client.sql(
        `INSERT INTO ${name} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (name) DO UPDATE SET ${updates.join(', ')}`,
        values,
      );
    },
    markProgress: (key, statementsRun) => update({ statements_run: statementsRun, in_flight: true }, key),
    markApplied: (key, done) =>
      update(
        {
          status: 'applied',
          finished_at: done.finishedAt.getTime(),
          duration_ms: done.durationMs,
          statements_run: done.statementsRun,
          error: null,
          in_flight: false,
        },
        key,
      ),
    markFailed: (key, done) =>
      update(
        {
          status: 'failed',
          finished_at: done.finishedAt.getTime(),
          duration_ms: done.durationMs,
          statements_run: done.statementsRun,
          error: done.error,
          in_flight: done.inFlight,
        },
        key,
      ),
    remove: async (key) => {
      await client.sql(`DELETE FROM ${name} WHERE name = ?`, [key]);
    },
    updateChecksum: (key, checksum) => update({ checksum }, key),
    async markBaseline(entry) {
      const values = { name: entry.name, version: entry.version, seq: entry.seq, checksum: entry.checksum, status: 'applied', finished_at: entry.finishedAt.getTime(), applied_by: entry.appliedBy, statements_run: 0, in_flight: false, baseline: true };
      await client.sql(`INSERT INTO ${name} (${Object.keys(values).join(', ')}) VALUES (${Object.keys(values).map(() => '?').join(', ')})`, Object.values(values));
    },
  };
}

/** Turns result rows into `HistoryRow`s by column name: a table made by an older release, or a brief
 * read, has fewer columns. */
function rowReader(cols: readonly string[]): (row: unknown[]) => HistoryRow {
  const index = new Map(cols.map((c, i) => [c, i]));
  return (row) => {
    const at = (column: string) => {
      const i = index.get(column);
      return i === undefined ? undefined : row[i];
    };
    const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as number));
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const status = at('status') as HistoryStatus;
    const direction = at('direction');
    const hashes = at('statement_hashes');
    const inFlight = at('in_flight');
    return {
      name: at('name') as string,
      version: Number(at('version')),
      seq: Number(at('seq')),
      checksum: at('checksum') as string,
      status,
      startedAt: date(at('started_at')),
      finishedAt: date(at('finished_at')),
      durationMs: num(at('duration_ms')),
      appliedBy: (at('applied_by') as string | null | undefined) ?? null,
      statementsRun: num(at('statements_run')) ?? 0,
      statementsTotal: num(at('statements_total')),
      error: (at('error') as string | null | undefined) ?? null,
      direction: direction === 'up' || direction === 'down' ? direction : null,
      lockOwner: (at('lock_owner') as string | null | undefined) ?? null,
      statementHashes: typeof hashes === 'string' ? (JSON.parse(hashes) as string[]) : null,
      // A row written before in_flight existed may have been left running with its last statement sent.
      inFlight: inFlight === undefined || inFlight === null ? status === 'running' : inFlight === true,
      baseline: at('baseline') === true,
    };
  };
}
