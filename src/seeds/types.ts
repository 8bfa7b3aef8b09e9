import type { MigrationContext } from '../context.js';

/**
 * How a seed writes its rows.
 * - `upsert` (default): `INSERT ... ON CONFLICT (<key>) DO UPDATE SET <other columns> = excluded.<...>`; a re-run is idempotent.
 * - `insert`: plain `INSERT`; a row whose key exists fails (CrateDB 4091) and is reported.
 * - `skip-existing`: `ON CONFLICT (<key>) DO NOTHING`; existing rows are left as they are (counted `unchanged`).
 * - `replace`: `REFRESH` + `DELETE FROM <table>` first (logged at warn), then plain `INSERT`.
 */
export type SeedMode = 'insert' | 'upsert' | 'skip-existing' | 'replace';

/** Every `SeedMode`, for validating flags and headers. */
export const SEED_MODES: readonly SeedMode[] = ['insert', 'upsert', 'skip-existing', 'replace'];

/** File formats `createSeedFile` can write and discovery recognizes. */
export type SeedFormat = 'yaml' | 'json' | 'ndjson' | 'csv' | 'ts';

/** One row that could not be written, with where it came from. */
export interface SeedFailure {
  /** 1-based position of the row in the seed (data rows only, headers not counted). */
  row: number;
  /** 1-based line in the file where the row starts (CSV: where it ends); absent for code seeds. */
  line?: number;
  /** The column whose value did not fit, when the problem is one value. */
  column?: string;
  /** CrateDB's error code (e.g. 4091) when CrateDB refused the row. */
  code?: number;
  /** What went wrong: CrateDB's message, `no error detail` when CrateDB gave none, or why a value does not fit. */
  message: string;
  /** `validate`: found before sending, nothing was sent; `write`: CrateDB refused it. */
  stage: 'validate' | 'write';
}

/**
 * What happened to one seed. Counts add up: `rows = written + unchanged + skipped + failed` once a seed ran to
 * its end. CrateDB answers `rowcount: 1` for `DO UPDATE` even when the values were identical, so `written`
 * counts rows CrateDB wrote, identical or not: unchanged rows cannot be told apart in upsert mode.
 */
export interface SeedResult {
  name: string;
  /** Path relative to the config's `rootDir`. */
  file: string;
  /** `schema.table` the rows went to; absent for a code seed that only runs statements. */
  table?: string;
  mode: SeedMode;
  /**
   * `seeded`: ran, every row written; `skipped`: checksum unchanged since its last successful run;
   * `failed`: some rows failed or the seed could not run (see `error`); `planned`: dry run;
   * `pending`: not run because an earlier seed stopped the run.
   */
  status: 'seeded' | 'skipped' | 'failed' | 'planned' | 'pending';
  /** Rows read from the file or generated. */
  rows: number;
  /** Rows CrateDB answered `rowcount >= 1` for (inserted, or updated even with identical values). */
  written: number;
  /** Rows CrateDB answered `rowcount: 0` for: the key existed and `DO NOTHING` left the row as it was. */
  unchanged: number;
  /** Valid rows that were not sent: a dry run sends none. */
  skipped: number;
  /** Rows refused before sending or by CrateDB. */
  failed: number;
  /** Details of failed rows, the first 1000 (the count in `failed` is always exact). */
  failures: SeedFailure[];
  /** SHA-256 hex of the seed file (and a CSV's sidecar). */
  checksum: string;
  durationMs: number;
  /** A problem with the seed as a whole: a requirement not applied, a missing table, a lost connection. */
  error?: { code: string; message: string };
  /** Migrations the seed requires that are not applied (reported by dry runs; a real run refuses to start). */
  missingRequires?: string[];
  /** Dry run: the first rows as they would be sent, after type conversion. */
  sample?: Array<Record<string, unknown>>;
}

/** What `seed()` returns (and `SeedError.result` holds): one result per seed, in run order. */
export interface SeedRunResult {
  seeds: SeedResult[];
  dryRun: boolean;
  durationMs: number;
}

/** Options of a seed run (`seed()` and `Seeder.run`). */
export interface SeedRunOptions {
  /** Seed names (file names without extension) to run; unknown names are a `UsageError`. @default every seed */
  only?: string[];
  /** Run seeds whose checksum is unchanged since their last successful run. @default false */
  force?: boolean;
  /** Read and validate every row, write nothing, return what would be written. @default false */
  dryRun?: boolean;
  /** Overrides every seed's `mode`. */
  mode?: SeedMode;
  /** Overrides every seed's `batchSize` and `config.batchSize`. */
  batchSize?: number;
}

/** The seed a progress reporter is told about. */
export interface SeedProgressInfo {
  name: string;
  table?: string;
  mode: SeedMode;
}

/**
 * Progress callbacks, one seed at a time: `start`, any number of `batch`, `end`. The CLI implements it with a
 * cli-progress bar on a TTY and log lines otherwise. Without a reporter the seeder logs a line per group of
 * batches at info.
 */
export interface SeedProgress {
  /** `totalRows` is known for YAML/JSON and NDJSON (a newline count), unknown for CSV and code seeds. */
  start(seed: SeedProgressInfo, totalRows?: number): void;
  /** Rows of the current seed accounted for so far (written, unchanged or failed); grows monotonically. */
  batch(rowsDone: number): void;
  end(result: SeedResult): void;
}

/** A seed as `status()` shows it. */
export interface SeedStatusEntry {
  name: string;
  /** Absent for a seed recorded in the tracking table whose file is gone. */
  file?: string;
  /**
   * `pending`: never seeded; `seeded`: recorded with the file's current checksum; `changed`: the file changed
   * since; `failed`: its last run had failed rows; `missing`: recorded, but no file.
   */
  state: 'pending' | 'seeded' | 'changed' | 'failed' | 'missing';
  checksum?: string;
  seededAt?: Date;
  rowsWritten?: number;
  rowsUnchanged?: number;
  rowsFailed?: number;
  durationMs?: number;
}

/** A row a code seed generates: column name to value (converted to the column's type like file values). */
export type SeedRowValues = Record<string, unknown>;

/**
 * A TS/JS seed module: `export default { table, rows } satisfies CodeSeed`, or the same keys as named exports.
 * `run(ctx)` runs first (any statements), then `rows` are written to `table` like a data seed's rows.
 */
export interface CodeSeed {
  /** Target of `rows`: `table` or `schema.table`; without a schema the config's schema. */
  table?: string;
  schema?: string;
  /** Conflict key; must be the table's primary key. @default the primary key */
  key?: string | string[];
  mode?: SeedMode;
  /** Migrations (names without extension) that must be applied first. */
  requires?: string | string[];
  batchSize?: number;
  /** Column types for columns the table does not have yet (CrateDB adds them dynamically). */
  columns?: Record<string, string>;
  rows?:
    | Iterable<SeedRowValues>
    | AsyncIterable<SeedRowValues>
    | ((ctx: MigrationContext) => Iterable<SeedRowValues> | AsyncIterable<SeedRowValues>);
  run?(ctx: MigrationContext): Promise<void> | void;
}
