/**
 * One node's HTTP front: `/_sql`, `GET|HEAD /`, auth, one SQL session per TCP connection, and the
 * faults of faults.ts (a skewed clock goes to the engine with the request). The SQL itself is the
 * engine's (contract.ts); what lost or recovering shards do to a statement is lost-shards.ts's.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { authenticate } from './auth.js';
import type { CrateVersion, Engine, Session, SqlRequest } from './contract.js';
import type { Faults } from './faults.js';
import { toJson } from './json.js';
import { executeInCluster, type ClusterView } from './lost-shards.js';
import { clusterInfo, crateError, errorTrace, parseSqlBody, queryFlag } from './protocol.js';

const gunzipAsync = promisify(gunzip);
const JSON_UTF8 = 'application/json; charset=UTF-8';

/** One `/_sql` request as the server saw it, for tests that assert where requests went. */
export interface RequestRecord {
  node: number;
  stmt: string;
  user: string;
  /** HTTP status answered, or `dropped` when the connection was closed without an answer. */
  status: number | 'dropped';
}

/** Everything one node's handler needs. */
export interface NodeContext {
  readonly index: number;
  readonly name: string;
  readonly clusterName: string;
  readonly version: CrateVersion;
  readonly engine: Engine;
  readonly faults: Faults;
  readonly tokens: ReadonlyMap<string, string>;
  readonly cluster: ClusterView;
  readonly requests: RequestRecord[];
  /** Past twice this many entries, `requests` drops its oldest down to this many. */
  readonly requestLogLimit: number;
  /** Bumped by `reset()`: every connection's next request starts a new session, as on a new connection. */
  sessionEpoch(): number;
}

interface SocketState {
  epoch: number;
  /** The Authorization header this connection authenticated with, and for whom. */
  auth?: { header: string | undefined; user: string };
  session?: Session;
}

let nextSessionId = 1;

/** Builds the request listener of one node. Sessions live as long as their socket. */
export function createNodeHandler(ctx: NodeContext): (req: IncomingMessage, res: ServerResponse) => void {
  const sockets = new WeakMap<Socket, SocketState>();
  return (req, res) => {
    handle(ctx, sockets, req, res).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      send(res, 500, toJson(crateError(500, 5000, `SQLActionException[${message}]`).body), JSON_UTF8);
    });
  };
}

async function handle(
  ctx: NodeContext,
  sockets: WeakMap<Socket, SocketState>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  let raw: string;
  try {
    raw = await readBody(req);
  } catch {
    sendError(res, crateError(400, 4000, 'SQLParseException[Failed to decompress the request body]'), url);
    return;
  }
  const delay = ctx.faults.latencyFor(ctx.index);
  if (delay > 0) await sleep(delay);

  const state = stateOf(sockets, req.socket, ctx.sessionEpoch());
  const header = req.headers.authorization;
  if (state.auth === undefined || state.auth.header !== header) {
    const result = await authenticate(header, ctx.engine, ctx.tokens);
    if (!result.ok) {
      // CrateDB answers a failed login in plain text, without Content-Type, and closes the connection.
      res.shouldKeepAlive = false;
      send(res, 401, result.message, undefined, {
        'WWW-Authenticate': 'Basic realm="CrateDB Authenticator"',
        Connection: 'close',
      });
      return;
    }
    state.auth = { header, user: result.user };
  }
  const user = state.auth.user;

  if (url.pathname === '/' && (method === 'GET' || method === 'HEAD')) {
    send(res, 200, toJson(clusterInfo(ctx.version, ctx.name, ctx.clusterName)), 'application/json');
    return;
  }
  if (url.pathname !== '/_sql' && url.pathname !== '/_sql/') {
    send(res, 403, `${method} method is not allowed for [${url.pathname}]`);
    return;
  }

  const started = performance.now();
  const session = sessionOf(state, user, req.headers['default-schema']);
  const body = parseSqlBody(raw, ctx.version);
  if ('status' in body) {
    sendError(res, body, url);
    return;
  }
  const fault = ctx.faults.take(body.stmt, ctx.index);
  const record = (status: RequestRecord['status']) => {
    ctx.requests.push({ node: ctx.index, stmt: body.stmt, user, status });
    const keep = ctx.requestLogLimit;
    if (ctx.requests.length > 2 * keep) ctx.requests.splice(0, ctx.requests.length - keep);
  };
  if (fault?.kind === 'status') {
    record(fault.status);
    send(res, fault.status, STATUS_CODES[fault.status] ?? 'Error', 'text/plain; charset=UTF-8');
    return;
  }
  if (fault?.kind === 'error') {
    record(fault.error.status);
    sendError(res, crateError(fault.error.status, fault.error.code, fault.error.message), url);
    return;
  }
  if (fault?.kind === 'drop' && !fault.applied) {
    record('dropped');
    req.socket.destroy();
    return;
  }

  const request: SqlRequest = { stmt: body.stmt, types: queryFlag(url.searchParams, 'types'), session };
  if (body.args !== undefined) request.args = body.args;
  if (body.bulkArgs !== undefined) request.bulkArgs = body.bulkArgs;
  const skew = ctx.faults.clockSkewFor(ctx.index);
  if (skew !== 0) request.clockSkewMs = skew;
  const response = await executeInCluster(ctx.engine, ctx.cluster, ctx.faults, request);
  if (fault?.kind === 'drop') {
    record('dropped');
    req.socket.destroy();
    return;
  }
  record(response.status);
  const answer = withDuration(response.body, performance.now() - started);
  if (isErrorBody(answer) && queryFlag(url.searchParams, 'error_trace')) {
    answer.error_trace = errorTrace(answer.error.message);
  }
  send(res, response.status, toJson(answer), JSON_UTF8);
}

function stateOf(sockets: WeakMap<Socket, SocketState>, socket: Socket, epoch: number): SocketState {
  let state = sockets.get(socket);
  if (state === undefined || state.epoch !== epoch) {
    state = { epoch };
    sockets.set(socket, state);
  }
  return state;
}

/**
 * The connection's session. `Default-Schema` counts only when the session is created (the
 * connection's first `/_sql` request, or a request as another user); later headers are ignored and a
 * `SET` done by the engine on the session carries over (crate/crate#17711).
 */
function sessionOf(state: SocketState, user: string, defaultSchema: string | string[] | undefined): Session {
  if (state.session === undefined || state.session.user !== user) {
    const schema = typeof defaultSchema === 'string' && defaultSchema !== '' ? defaultSchema : 'doc';
    state.session = { id: nextSessionId++, schema, user };
  }
  return state.session;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let data = Buffer.concat(chunks);
  if (/\bgzip\b/i.test(String(req.headers['content-encoding'] ?? '')) && data.length > 0) {
    data = await gunzipAsync(data);
  }
  return data.toString('utf8');
}

function isErrorBody(body: unknown): body is { error: { message: string; code: number }; error_trace?: string } {
  return typeof body === 'object' && body !== null && 'error' in body;
}

/** Sets CrateDB's `duration` (milliseconds, a float) on a success answer, in place if the engine left one. */
function withDuration(body: unknown, ms: number): Record<string, unknown> {
  const answer = { ...(body as Record<string, unknown>) };
  if (!isErrorBody(answer)) answer.duration = Math.max(ms, 0.001);
  return answer;
}

function sendError(res: ServerResponse, error: { status: number; body: { error: { message: string; code: number } } }, url: URL): void {
  const body: Record<string, unknown> = { ...error.body };
  if (queryFlag(url.searchParams, 'error_trace')) body.error_trace = errorTrace(error.body.error.message);
  send(res, error.status, toJson(body), JSON_UTF8);
}

function send(
  res: ServerResponse,
  status: number,
  text: string,
  contentType?: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = Buffer.from(text, 'utf8');
  const all: Record<string, string | number> = { ...headers, 'Content-Length': payload.length };
  if (contentType !== undefined) all['Content-Type'] = contentType;
  res.writeHead(status, all);
  res.end(payload);
}
