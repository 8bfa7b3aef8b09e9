import type { StatementOrigin } from '../errors.js';

/** A result set or a row count, as CrateDB's `/_sql` answers it. Read rows by position: column names
 * derived by CrateDB differ between versions (`count` on 6.x, `count(*)` on 5.x). */
export interface SqlResult {
  cols: string[];
  rows: unknown[][];
  rowcount: number;
  /** Present only when the request asked for `?types`. */
  colTypes?: unknown[];
  /** CrateDB's own `duration`, in milliseconds. */
  durationMs: number;
}

/** One row of a `bulk_args` answer. `rowcount: -2` is a failed row, never a success. */
export interface BulkItem {
  rowcount: number;
  /** 5.10+: `error` object (only the first 10 per shard); older: `error_message`. */
  error?: { code?: number; message: string };
}

/** A `bulk_args` answer: one item per row, in the order the rows were sent. */
export interface BulkResult {
  results: BulkItem[];
  durationMs: number;
}

/** Per-statement options of `CrateClient.sql`/`bulk`/`refresh`. */
export interface QueryOptions {
  signal?: AbortSignal;
  /** Where the statement came from, carried into a `CrateDbError` for the message. */
  origin?: StatementOrigin;
  /** The statement only reads: a lost answer may be retried on another server. */
  readOnly?: boolean;
  /** Overrides the client's request timeout for this statement. */
  timeoutMs?: number;
  /** Ask for `col_types` (`?types`). */
  types?: boolean;
}

/** A table name as schema and table, quoted by `qualifiedName()` when it goes into SQL. */
export interface TableRef {
  schema: string;
  table: string;
}

/** What the runner, the seeds and user code talk to. One statement per call: CrateDB takes one per
 * request. Errors are `CrateDbError` (CrateDB answered) or `ConnectionError` (no answer). */
export interface CrateClient {
  sql(stmt: string, args?: readonly unknown[], options?: QueryOptions): Promise<SqlResult>;
  bulk(stmt: string, bulkArgs: readonly (readonly unknown[])[], options?: QueryOptions): Promise<BulkResult>;
  /** `REFRESH TABLE` of the given tables, so that searches see the latest writes. */
  refresh(tables: readonly TableRef[], options?: QueryOptions): Promise<void>;
  /** `GET /` of the first server that answers. */
  ping(options?: { signal?: AbortSignal }): Promise<{ server: string; version: string }>;
  close(): Promise<void>;
}
