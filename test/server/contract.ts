/**
 * The contract between the test server's HTTP/cluster layer (http.ts, cluster.ts, faults.ts) and its SQL
 * engine (engine/). The HTTP layer owns the protocol: body parsing and validation, auth headers, sessions
 * per TCP connection, nodes, faults. The engine owns SQL: CrateDB's dialect translated onto PGlite.
 */

/** CrateDB versions the server can impersonate (`--crate-version`). */
export type CrateVersion = '6.4' | '5.10';

/** One SQL session: CrateDB keeps one per TCP connection. Mutated by `SET` (search path). */
export interface Session {
  readonly id: number;
  /** Current schema: from `Default-Schema` on the connection's first request, else `doc`; `SET search_path` changes it. */
  schema: string;
  /** `SET search_path`'s schemas, `schema` first; unset means `schema` alone. */
  searchPath?: string[];
  /** The authenticated user (`crate` when no Authorization header). */
  user: string;
}

export interface SqlRequest {
  /** Already checked to be a non-empty string by the HTTP layer. */
  stmt: string;
  /** `args` when the body had them (possibly empty). */
  args?: unknown[];
  /** `bulk_args` when the body had them (possibly empty). */
  bulkArgs?: unknown[][];
  /** `?types`: add `col_types`. */
  types: boolean;
  session: Session;
  /** How far the handling node's clock is ahead (negative: behind), in ms: `now()`, `CURRENT_TIMESTAMP`
   * and column defaults evaluated for this request read the skewed time. @default 0 */
  clockSkewMs?: number;
}

/** A JSON answer: `body` is serialized as JSON by the HTTP layer. */
export interface SqlResponse {
  status: number;
  body: unknown;
}

/** What a statement will touch, known before it runs, so the cluster layer can fail it like CrateDB
 * does when a node is down (5002 for a scan/write of a table whose shard has no live copy, 4040 for a
 * primary-key read of a key on such a shard). */
export interface StatementPlan {
  tables: Array<{
    schema: string;
    table: string;
    numberOfShards: number;
    /** Replicas the table asks for, as CrateDB's `number_of_replicas` ('0-1', '2', ...). */
    numberOfReplicas: string;
    /** Routing values of the full primary keys the statement addresses, when it addresses only those. */
    routingKeys?: string[];
    write: boolean;
  }>;
  /** The statement defines or describes tables (CREATE, DROP, ALTER, SHOW, REFRESH...) instead of reading
   * or writing rows: CrateDB runs it whatever state the shards are in, so the cluster layer never fails it. */
  ddl?: boolean;
  /** A `CREATE TABLE`: the table it creates unless it exists already. */
  creates?: { schema: string; table: string };
}

export interface Engine {
  readonly version: CrateVersion;
  execute(request: SqlRequest): Promise<SqlResponse>;
  /** Parses and resolves without running; undefined when the statement touches no user table or does not parse.
   * `args` (one request's `args`, or one row of its `bulk_args`) fill `?`/`$n` placeholders so that
   * `WHERE pk = ?` and `INSERT ... VALUES (?, ...)` yield `routingKeys` (added by the server helper). */
  plan(stmt: string, session: Session, args?: readonly unknown[]): Promise<StatementPlan | undefined>;
  /** Host-based auth as the transcripts' `crate.yml`: `crate` is trusted, other users need their password. */
  authenticate(user: string, password: string | undefined): Promise<boolean>;
  /** Drops every user schema, table, view and user, as a fresh server has none. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Time the engine reads for `refresh_interval`, `now()` and durations; tests inject a manual clock. */
export interface Clock {
  now(): number;
}
