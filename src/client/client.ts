import type { Logger } from 'pino';
import { AbortedError, ConfigError, ConnectionError, CrateDbError } from '../errors.js';
import type { ResolvedConfig } from '../config/types.js';
import { deferredLogger } from '../logger.js';
import { readAnswer, whereText, type RequestContext } from './errors.js';
import { refreshStatement } from './identifiers.js';
import { createTransport, type HttpRequest, type HttpResponse, type ServerTransport } from './transport.js';
import type { BulkItem, BulkResult, CrateClient, QueryOptions, SqlResult, TableRef } from './types.js';

/** How long a server that could not be reached is tried only after the others. */
const DOWN_COOLDOWN_MS = 10_000;

export interface ClientOptions {
  logger?: Logger;
}

interface Call {
  method: HttpRequest['method'];
  path: string;
  body?: string;
  statement?: string;
  options: QueryOptions;
  /** An HTTP 503 answer means this node cannot serve (no elected master): ask the next server. */
  nextOn503?: boolean;
}

/** JSON.stringify cannot write a bigint; CrateDB converts a numeric string into a numeric column. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * The request body. A replacer makes JSON.stringify call back for every value of every row of a bulk request
 * (a third of its time), so it is used only when the payload holds a bigint, which JSON.stringify refuses
 * with a TypeError before it returns anything.
 */
function requestBody(payload: object): string {
  try {
    return JSON.stringify(payload);
  } catch (err) {
    if (err instanceof TypeError && /bigint/i.test(err.message)) return JSON.stringify(payload, jsonReplacer);
    throw err;
  }
}

/** A bulk answer's item as a BulkItem. A plain `{"rowcount": n}` (nearly every item) is one already and is
 * kept: a copy per row of a seed is garbage for nothing. */
function normalizeBulkItem(raw: unknown): BulkItem {
  const item = raw as { rowcount?: unknown; error?: { code?: unknown; message?: unknown }; error_message?: unknown };
  if (typeof item.rowcount === 'number' && item.error === undefined && item.error_message === undefined) return item as BulkItem;
  const out: BulkItem = { rowcount: typeof item.rowcount === 'number' ? item.rowcount : -2 };
  if (item.error !== undefined && item.error !== null) {
    out.error = {
      ...(typeof item.error.code === 'number' ? { code: item.error.code } : {}),
      message: String(item.error.message ?? ''),
    };
  } else if (typeof item.error_message === 'string') {
    out.error = { message: item.error_message };
  }
  return out;
}

/**
 * A CrateClient over the configured servers. Servers are used round-robin; a server that cannot be
 * reached is skipped (the request was never sent) and tried last for a short while. An answer lost after
 * the request was sent is retried elsewhere only for `readOnly` statements: repeating a write could apply
 * it twice, so the caller gets a `ConnectionError` with `sent: true` instead. A call tries each server at
 * most once, so with a single server nothing is retried.
 */
export function createClient(config: ResolvedConfig, options: ClientOptions = {}): CrateClient {
  if (config.servers.length === 0) {
    throw new ConfigError('No CrateDB server configured: set `servers` (or `url`) in crate.config.yaml, CRATEDB_URL, or --url.', 'servers', config.file);
  }
  const logger = options.logger ?? deferredLogger({ level: 'silent' });
  const transports = config.servers.map((server) => createTransport(server, config));
  if (!config.tls.rejectUnauthorized && config.servers.some((s) => s.startsWith('https:'))) {
    logger.warn({ event: 'tls-unverified', servers: config.servers }, 'TLS certificates are not verified (tls.verify: false)');
  }
  const downUntil = new Map<ServerTransport, number>();
  let nextIndex = 0;
  let closed = false;

  /** This call's servers: round-robin order, with servers recently found down moved to the end. */
  function serverOrder(): ServerTransport[] {
    const start = nextIndex;
    nextIndex = (nextIndex + 1) % transports.length;
    const rotated = [...transports.slice(start), ...transports.slice(0, start)];
    const now = Date.now();
    const isDown = (t: ServerTransport): boolean => (downUntil.get(t) ?? 0) > now;
    return [...rotated.filter((t) => !isDown(t)), ...rotated.filter(isDown)];
  }

  async function send(call: Call): Promise<{ server: string; response: HttpResponse; durationMs: number }> {
    const { options: opts } = call;
    if (closed) throw new ConnectionError('The CrateDB client was closed; create a new one.', config.servers.join(', '), false);
    const where = whereText({ statement: call.statement, origin: opts.origin });
    const tried: string[] = [];
    let anySent = false;
    let lastCause: unknown;
    const order = serverOrder();
    for (const [index, transport] of order.entries()) {
      if (opts.signal?.aborted) throw new AbortedError();
      const started = performance.now();
      const outcome = await transport.request({
        method: call.method,
        path: call.path,
        ...(call.body === undefined ? {} : { body: call.body }),
        timeoutMs: opts.timeoutMs ?? config.requestTimeoutMs,
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
      if (outcome.ok && call.nextOn503 && outcome.response.status === 503 && index < order.length - 1) {
        logger.warn({ event: 'server-unavailable', server: transport.server, status: 503 });
        continue;
      }
      if (outcome.ok) {
        downUntil.delete(transport);
        return { server: transport.server, response: outcome.response, durationMs: performance.now() - started };
      }
      if (outcome.aborted) {
        throw new AbortedError(
          outcome.sent
            ? `aborted while waiting for ${transport.server}: the statement may or may not have been applied${where}`
            : 'aborted before the statement was sent',
        );
      }
      lastCause = outcome.cause;
      tried.push(`${transport.server} (${outcome.reason})`);
      if (!outcome.sent) {
        downUntil.set(transport, Date.now() + DOWN_COOLDOWN_MS);
        logger.warn({ event: 'server-unreachable', server: transport.server, reason: outcome.reason });
        continue;
      }
      anySent = true;
      if (opts.readOnly === true) {
        logger.warn({ event: 'answer-lost', server: transport.server, reason: outcome.reason, readOnly: true });
        continue;
      }
      throw new ConnectionError(
        `The answer from ${transport.server} was lost after the statement was sent (${outcome.reason}): ` +
          `the statement may or may not have been applied${where}. ` +
          'Check the database before running it again.',
        transport.server,
        true,
        { cause: outcome.cause },
      );
    }
    throw new ConnectionError(
      `No CrateDB server answered: ${tried.join('; ')}.` +
        (anySent ? ' The statement only reads, so it was tried on each server.' : ' Nothing was sent.') +
        ' Check that CrateDB is running and that the configured URLs (servers, CRATEDB_URL, --url) are right.',
      config.servers.join(', '),
      anySent,
      { cause: lastCause },
    );
  }

  function context(server: string, stmt: string | undefined, opts: QueryOptions): RequestContext {
    return {
      server,
      ...(stmt === undefined ? {} : { statement: stmt }),
      ...(opts.origin === undefined ? {} : { origin: opts.origin }),
      ...(config.auth === undefined ? {} : { auth: config.auth }),
    };
  }

  async function post(stmt: string, payload: object, opts: QueryOptions) {
    const { server, response, durationMs } = await send({
      method: 'POST',
      path: opts.types === true ? '/_sql?types' : '/_sql',
      body: requestBody({ stmt, ...payload }),
      statement: stmt,
      options: opts,
    });
    return { server, durationMs, body: readAnswer(response, context(server, stmt, opts)) };
  }

  async function sql(stmt: string, args?: readonly unknown[], opts: QueryOptions = {}): Promise<SqlResult> {
    const { server, durationMs, body } = await post(stmt, args === undefined ? {} : { args }, opts);
    const result: SqlResult = {
      cols: (body.cols as string[] | undefined) ?? [],
      rows: (body.rows as unknown[][] | undefined) ?? [],
      rowcount: typeof body.rowcount === 'number' ? body.rowcount : -1,
      durationMs: typeof body.duration === 'number' ? body.duration : 0,
    };
    if (body.col_types !== undefined) result.colTypes = body.col_types as unknown[];
    logger.debug({ event: 'sql', server, durationMs: Math.round(durationMs), rowcount: result.rowcount });
    return result;
  }

  async function bulk(
    stmt: string,
    bulkArgs: readonly (readonly unknown[])[],
    opts: QueryOptions = {},
  ): Promise<BulkResult> {
    const { server, durationMs, body } = await post(stmt, { bulk_args: bulkArgs }, opts);
    if (!Array.isArray(body.results)) {
      throw new CrateDbError(
        `${server} answered a bulk request without \`results\`${whereText(context(server, stmt, opts))}.`,
        0,
        200,
        server,
        stmt,
        opts.origin,
      );
    }
    const results = body.results.map(normalizeBulkItem);
    if (logger.isLevelEnabled('debug')) {
      const failed = results.filter((r) => r.rowcount === -2).length;
      const rowcount = results.reduce((sum, r) => sum + Math.max(r.rowcount, 0), 0);
      logger.debug({ event: 'sql', server, durationMs: Math.round(durationMs), rowcount, bulk: results.length, failed });
    }
    return { results, durationMs: typeof body.duration === 'number' ? body.duration : 0 };
  }

  async function refresh(tables: readonly TableRef[], opts: QueryOptions = {}): Promise<void> {
    if (tables.length === 0) return;
    // Refreshing twice has the effect of refreshing once: safe to retry like a read.
    await sql(refreshStatement(tables), undefined, { readOnly: true, ...opts });
  }

  async function ping(opts: { signal?: AbortSignal } = {}): Promise<{ server: string; version: string }> {
    const { server, response } = await send({ method: 'GET', path: '/', options: { ...opts, readOnly: true }, nextOn503: true });
    if (response.status === 503) {
      throw new CrateDbError(
        `${server} answered HTTP 503 and no other server could serve: the cluster has no elected master? Check the cluster's nodes.`,
        0,
        503,
        server,
      );
    }
    const body = readAnswer(response, context(server, undefined, {}));
    const version = (body.version as { number?: unknown } | undefined)?.number;
    return { server, version: typeof version === 'string' ? version : 'unknown' };
  }

  async function close(): Promise<void> {
    closed = true;
    await Promise.all(transports.map((t) => t.close()));
  }

  return { sql, bulk, refresh, ping, close };
}
