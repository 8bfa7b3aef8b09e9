/**
 * The SQL engine of the CrateDB test server (contract.ts `Engine`): CrateDB's grammar at the edge,
 * PGlite underneath. A statement text is parsed once and its translation memoized per session search path,
 * user and catalog version (a cache of translations, never of answers); statements run one at a time,
 * as each CrateDB statement commits on its own.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { Clock, CrateVersion, Engine, Session, SqlRequest, SqlResponse, StatementPlan } from '../contract.js';
import { Catalog, type TableDef } from './catalog.js';
import { CrateError, errorBody, sqlParse, unsupportedFeature } from './errors.js';
import { VERSIONS } from './version.js';
import { isPgError, mapPgError } from './pg-errors.js';
import { parseStatement, lex, qnameParts, ruleName, type Ctx, type ParsedStatement, type Token } from './parse.js';
import { checkArgCount, colTypes, PG_PARSERS, type Outcome, type Prepared } from './run.js';
import type { Env } from './scope.js';
import { logJob } from './jobs-log.js';
import { singleNode, type ClusterView, type EngineState, type JobInfo } from './state.js';
import { quoteIdent } from './format.js';
import { pgTableName, SYSTEM_SCHEMA, USER_SCHEMA } from './storage.js';
import { createSystemTablesSql } from './system-tables.js';
import { prepareStatement } from './dispatch.js';
import { planStatement, routing } from './plan.js';
import { ROUTING_FUNCTIONS_SQL, shardOf } from './routing.js';
import { showSetting } from './session-settings.js';
import { FULLTEXT_FUNCTIONS_SQL } from './fulltext.js';
import { GEO_FUNCTIONS_SQL } from './geo-sql.js';
import { newSnapshotState, resetSnapshots } from './snapshot-state.js';
import { computingUdfValues, UDF_VALUES_SQL } from './udf-values.js';
import { BM25_FUNCTIONS_SQL } from './bm25.js';
import { holdsObjects, inColumnOrder } from './key-order.js';

export interface EngineOptions {
  version?: CrateVersion;
  clock?: Clock;
  /** Users besides `crate` (no privileges); they survive `reset()`, as server configuration does. */
  users?: Record<string, string> | Array<{ name: string; password?: string }>;
  /** What sys.nodes / sys.health / sys.shards report (default: one healthy node). */
  cluster?: ClusterView;
}

interface CachedParse {
  parsed: ParsedStatement | CrateError;
  tokens: Token[];
}

const CACHE_LIMIT = 2000;
/** A session's search path: what SET search_path set, else its schema alone (Default-Schema or `doc`). */
function searchPathOf(session: Session): readonly string[] {
  return session.searchPath ?? [session.schema];
}

/** Statements that read or write rows; every other kind is planned as `ddl`. */
const ROW_STATEMENTS = new Set(['DefaultContext', 'InsertContext', 'UpdateContext', 'DeleteContext']);

/** The table a `CREATE TABLE` names, schema-qualified from the session (not `CREATE TABLE AS`: its
 * rowcount is the rows copied, so its answer does not say whether it created the table). */
function createdTable(stmt: Ctx, env: Env): { schema: string; table: string } | undefined {
  if (ruleName(stmt) !== 'CreateContext') return undefined;
  const create = stmt.createStmt();
  if (ruleName(create) !== 'CreateTableContext') return undefined;
  const parts = qnameParts(create.table().qname());
  return { schema: parts.length > 1 ? parts[parts.length - 2]! : env.schema, table: parts[parts.length - 1]! };
}
/** Failed bulk rows per shard that carry CrateDB's error; later ones come back as a bare -2. */
const ERROR_DETAILS_PER_SHARD = 10;

function checkStatementLength(stmt: string, version: CrateVersion): void {
  const max = VERSIONS[version].statementMaxLength;
  if (max !== undefined && stmt.length > max) {
    throw sqlParse(`Statement exceeds \`statement_max_length\` (${max} allowed, ${stmt.length} provided). Try replacing inline values with parameter placeholders (\`?\`)`);
  }
}

export class PgliteEngine implements Engine {
  private readonly parses = new Map<string, CachedParse>();
  private readonly prepared = new Map<string, { version: number; prepared: Prepared | CrateError }>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly version: CrateVersion,
    private readonly state: EngineState,
    private readonly initialUsers: Array<{ name: string; password?: string }>,
  ) {}

  static async create(options: EngineOptions = {}): Promise<PgliteEngine> {
    const version = options.version ?? '6.4';
    const pg = await PGlite.create({ parsers: PG_PARSERS });
    await pg.exec(`SET TIME ZONE 'UTC'; CREATE SCHEMA ${USER_SCHEMA}; ${createSystemTablesSql(version)} ${FULLTEXT_FUNCTIONS_SQL} ${GEO_FUNCTIONS_SQL} ${ROUTING_FUNCTIONS_SQL} ${UDF_VALUES_SQL} ${BM25_FUNCTIONS_SQL}`);
    const state: EngineState = {
      pg,
      catalog: new Catalog(),
      version,
      clock: options.clock ?? { now: () => Date.now() },
      cluster: options.cluster ?? singleNode,
      materialized: new Map(),
      leakedJobs: [],
      jobsLog: [],
      snapshots: newSnapshotState(),
    };
    const users = Array.isArray(options.users)
      ? options.users
      : Object.entries(options.users ?? {}).map(([name, password]) => ({ name, password }));
    const engine = new PgliteEngine(version, state, users);
    engine.addInitialUsers();
    return engine;
  }

  /** Lets the cluster layer change what sys tables report. */
  setCluster(cluster: ClusterView): void {
    this.state.cluster = cluster;
  }

  private addInitialUsers(): void {
    for (const u of this.initialUsers) {
      this.state.catalog.users.set(u.name, { name: u.name, ...(u.password === undefined ? {} : { password: u.password }), superuser: u.name === 'crate', privileges: new Set() });
    }
  }

  /** Runs `fn` after every earlier statement finished: statements never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  execute(request: SqlRequest): Promise<SqlResponse> {
    return this.exclusive(() => this.executeNow(request));
  }

  private parse(stmt: string): CachedParse {
    let hit = this.parses.get(stmt);
    if (!hit) {
      let parsed: ParsedStatement | CrateError;
      try {
        parsed = parseStatement(stmt, this.version);
      } catch (e) {
        if (!(e instanceof CrateError)) throw e;
        parsed = e;
      }
      hit = { parsed, tokens: parsed instanceof CrateError ? [] : lex(stmt) };
      if (this.parses.size >= CACHE_LIMIT) this.parses.clear();
      this.parses.set(stmt, hit);
    }
    return hit;
  }

  private env(session: Session): Env {
    const { catalog } = this.state;
    const user = catalog.users.get(session.user) ?? { name: session.user, superuser: false, privileges: new Set<string>() };
    const unknownKeysNull = showSetting(session, 'error_on_unknown_object_key') === 'false';
    return { catalog, version: this.version, schema: session.schema, searchPath: searchPathOf(session), user, ...(unknownKeysNull ? { unknownKeysNull } : {}) };
  }

  private prepare(stmt: string, session: Session): Prepared {
    const key = `${searchPathOf(session).join(',')}\u0000${session.user}\u0000${showSetting(session, 'error_on_unknown_object_key')}\u0000${stmt}`;
    const version = this.state.catalog.version;
    const hit = this.prepared.get(key);
    if (hit && hit.version === version) {
      if (hit.prepared instanceof CrateError) throw hit.prepared;
      return hit.prepared;
    }
    const { parsed, tokens } = this.parse(stmt);
    if (parsed instanceof CrateError) throw parsed;
    let prepared: Prepared | CrateError;
    try {
      const udfUse = { used: false };
      prepared = prepareStatement(parsed, { ...this.env(session), udfUse }, tokens);
      if (udfUse.used) prepared = computingUdfValues(prepared);
    } catch (e) {
      if (!(e instanceof CrateError)) throw e;
      prepared = e;
    }
    if (this.prepared.size >= CACHE_LIMIT) this.prepared.clear();
    this.prepared.set(key, { version, prepared });
    if (prepared instanceof CrateError) throw prepared;
    return prepared;
  }

  private async executeNow(request: SqlRequest): Promise<SqlResponse> {
    const skew = request.clockSkewMs ?? 0;
    // A node's skewed clock (cluster layer): everything this statement reads as "now" comes from it.
    const state = skew === 0 ? this.state : { ...this.state, clock: { now: () => this.state.clock.now() + skew } };
    const ctx = { state, session: request.session };
    const job = { id: randomUUID(), stmt: request.stmt, username: request.session.user, started: state.clock.now() };
    this.state.running = job;
    let started = false;
    try {
      checkStatementLength(request.stmt, this.version);
      const prepared = this.prepare(request.stmt, request.session);
      started = true;
      if (request.bulkArgs !== undefined) {
        if (prepared.returnsRows) throw unsupportedFeature('Bulk operations for statements that return result sets is not supported');
        for (const row of request.bulkArgs) checkArgCount(prepared, row);
        const results = request.bulkArgs.length === 0
          ? []
          : prepared.runBulk
            ? await prepared.runBulk(ctx, request.bulkArgs)
            : await this.bulkOneByOne(prepared, ctx, request.bulkArgs);
        return this.logged(job, state, { status: 200, body: { cols: [], results: await this.capErrorDetails(request, results) } });
      }
      const args = request.args ?? [];
      checkArgCount(prepared, args);
      const outcome = await prepared.run(ctx, args);
      return this.logged(job, state, { status: 200, body: this.body(outcome, request.types) });
    } catch (e) {
      if (started && request.bulkArgs !== undefined) this.state.leakedJobs.push(job);
      return this.logged(job, state, this.errorResponse(e));
    } finally {
      this.state.running = undefined;
    }
  }

  /** CrateDB gives the `error` of only the first 10 failed rows per shard; later ones are a bare
   * `{"rowcount": -2}` (http-protocol.md), which clients must still count as failed. */
  private async capErrorDetails<T extends { rowcount: number; error?: unknown }>(request: SqlRequest, results: T[]): Promise<T[]> {
    const perShard = new Map<string, number>();
    for (const [i, item] of results.entries()) {
      if (item.rowcount !== -2 || item.error === undefined) continue;
      const target = (await this.plan(request.stmt, request.session, request.bulkArgs![i]))?.tables.find((t) => t.write);
      const key = target?.routingKeys?.[0];
      const shard = target && key !== undefined ? `${target.schema}.${target.table}/${shardOf(key, target.numberOfShards)}` : '';
      const seen = (perShard.get(shard) ?? 0) + 1;
      perShard.set(shard, seen);
      if (seen > ERROR_DETAILS_PER_SHARD) delete item.error;
    }
    return results;
  }

  private async bulkOneByOne(prepared: Prepared, ctx: { state: EngineState; session: Session }, rows: unknown[][]): Promise<Array<{ rowcount: number }>> {
    const out: Array<{ rowcount: number }> = [];
    for (const row of rows) {
      const r = await prepared.run(ctx, row);
      out.push({ rowcount: r.kind === 'count' ? r.rowcount : 0 });
    }
    return out;
  }

  private body(outcome: Outcome, types: boolean): Record<string, unknown> {
    switch (outcome.kind) {
      case 'rows':
        return {
          cols: outcome.cols,
          ...(types ? { col_types: colTypes(outcome.types, outcome.oids) } : {}),
          rows: outcome.types.some(holdsObjects) ? outcome.rows.map((r) => r.map((v, i) => inColumnOrder(v, outcome.types[i]))) : outcome.rows,
          rowcount: outcome.rows.length,
        };
      case 'count':
        return { cols: [], rows: [[]], rowcount: outcome.rowcount };
      case 'empty':
        return { cols: [], rows: [], rowcount: 0 };
    }
  }

  /** The answer, once the job is in sys.jobs_log with the error it answered, if any. */
  private logged(job: JobInfo, state: EngineState, response: SqlResponse): SqlResponse {
    const error = (response.body as { error?: { message: string } }).error;
    logJob(this.state.jobsLog, job, state.clock.now(), error?.message);
    return response;
  }

  private errorResponse(e: unknown): SqlResponse {
    let err: CrateError;
    if (e instanceof CrateError) err = e;
    else if (isPgError(e)) err = mapPgError(e);
    else err = new CrateError(500, 5000, `SQLException[${e instanceof Error ? e.message : String(e)}]`);
    return { status: err.status, body: errorBody(err) };
  }

  async plan(stmt: string, session: Session, args?: readonly unknown[]): Promise<StatementPlan | undefined> {
    const { parsed } = this.parse(stmt);
    if (parsed instanceof CrateError) return undefined;
    try {
      const env = this.env(session);
      const plan = planStatement(parsed, env, args ?? []);
      if (parsed.kind !== 'tree' || ROW_STATEMENTS.has(ruleName(parsed.stmt))) return plan;
      const creates = createdTable(parsed.stmt, env);
      if (plan === undefined && creates === undefined) return undefined;
      return { tables: plan?.tables ?? [], ddl: true, ...(creates ? { creates } : {}) };
    } catch {
      return undefined;
    }
  }

  /**
   * The cluster layer's hook for primary promotions (test/server/primaries.ts): `termOf` gives each
   * shard's primary term. Rows of a shard whose term rose report it as `_primary_term` from now on, so
   * a compare-and-set with the old term matches nothing; rows written later get the table's highest
   * term (exact for 1-shard tables). Runs between statements.
   */
  applyPrimaryTerms(termOf: (t: TableDef, shard: number) => number): Promise<void> {
    return this.exclusive(async () => {
      const { pg, catalog } = this.state;
      for (const t of catalog.tables.values()) {
        const terms = Array.from({ length: t.numberOfShards }, (_, shard) => termOf(t, shard));
        const live = pgTableName(t, 'live');
        for (const name of [live, pgTableName(t, 'shadow')]) {
          const keys = t.primaryKey.length > 0 ? t.primaryKey : ['_id'];
          const rows = (await pg.query<Record<string, unknown>>(`SELECT "_id", ${keys.map(quoteIdent).join(', ')} FROM ${name}`)).rows;
          const byTerm = new Map<number, string[]>();
          for (const row of rows) {
            const key = t.primaryKey.length > 0 ? routing(t, new Map(Object.entries(row))) : String(row._id);
            const term = terms[shardOf(key, t.numberOfShards)]!;
            byTerm.set(term, [...(byTerm.get(term) ?? []), String(row._id)]);
          }
          for (const [term, ids] of byTerm) {
            await pg.query(`UPDATE ${name} SET "_primary_term" = $1 WHERE "_primary_term" < $1 AND "_id" = ANY($2::text[])`, [term, ids]);
          }
        }
        await pg.exec(`ALTER TABLE ${live} ALTER COLUMN "_primary_term" SET DEFAULT ${Math.max(1, ...terms)}`);
      }
    });
  }

  async authenticate(user: string, password: string | undefined): Promise<boolean> {
    if (user === 'crate') return true;
    const u = this.state.catalog.users.get(user);
    // A role cannot log in (Role.isUser is false): its name answers as an unknown user's does.
    if (!u || u.role) return false;
    return u.password === undefined ? password === undefined || password === '' : u.password === password;
  }

  reset(): Promise<void> {
    return this.exclusive(async () => {
      const { catalog, pg } = this.state;
      await pg.exec(`DROP SCHEMA ${USER_SCHEMA} CASCADE; CREATE SCHEMA ${USER_SCHEMA};`);
      await resetSnapshots(pg, this.state.snapshots);
      catalog.tables.clear();
      catalog.views.clear();
      catalog.analyzers.clear();
      catalog.functions.clear();
      await pg.exec(`DELETE FROM ${SYSTEM_SCHEMA}.udf_values`);
      catalog.explicitSchemas.clear();
      catalog.clusterSettings.clear();
      catalog.resetUsers();
      this.addInitialUsers();
      catalog.touch();
      this.prepared.clear();
      this.state.materialized.clear();
      this.state.leakedJobs.length = 0;
      this.state.jobsLog.length = 0;
    });
  }

  close(): Promise<void> {
    return this.exclusive(() => this.state.pg.close());
  }
}
