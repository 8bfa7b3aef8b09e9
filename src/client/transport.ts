import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import type { Auth, ResolvedConfig } from '../config/types.js';

/**
 * undici's Pool class from its own file. undici's index loads every API it offers (fetch, WebSocket,
 * EventSource, the cache, cookies) and with them node's built-in copy of undici, about 140 ms at start-up
 * on this machine, where the Pool alone costs 90 ms; we use the Pool only. undici has no `exports` map,
 * so the file is reachable, and the type is the index's. undici is CommonJS: a synchronous require.
 */
const Pool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof UndiciPool;

/** One HTTP exchange with one server. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query below the server's base URL, e.g. `/_sql?types`. */
  path: string;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  contentType: string | undefined;
  text: string;
}

/**
 * What became of a request. `sent` is the fact the retry policy rests on: false means the request never
 * left this process (refused, unreachable, TLS failure, no connection in time), so it cannot have run.
 */
export type HttpOutcome =
  | { ok: true; response: HttpResponse }
  | { ok: false; sent: boolean; aborted: boolean; reason: string; cause: unknown };

/** A keep-alive pool to one server. */
export interface ServerTransport {
  /** The base URL as configured, without credentials, e.g. `http://localhost:4200`. */
  readonly server: string;
  request(request: HttpRequest): Promise<HttpOutcome>;
  close(): Promise<void>;
}

type TransportConfig = Pick<ResolvedConfig, 'auth' | 'tls' | 'schema' | 'connectTimeoutMs'>;

class RequestTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** `Authorization` header value: Basic `user[:password]` (CrateDB takes a user without password) or Bearer. */
function authorizationHeader(auth: Auth | undefined): string | undefined {
  if (auth === undefined) return undefined;
  if ('jwt' in auth) return `Bearer ${auth.jwt}`;
  const pair = auth.password === undefined ? auth.user : `${auth.user}:${auth.password}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

/** Turns a low-level failure into a few words a user can act on. */
function describeFailure(err: unknown, connectTimeoutMs: number): string {
  if (err instanceof RequestTimeout) return err.message;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection within ${connectTimeoutMs} ms`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server';
  }
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) {
    return `TLS certificate not trusted: ${message} (${code}); name the CA's PEM file in tls.ca (verification stays on)`;
  }
  return typeof code === 'string' ? `${message} (${code})` : message;
}

/**
 * Creates the pool for one server. Every request carries the same `Default-Schema`: CrateDB reads it only
 * when a connection's session is created, so a pool that mixed values would have sessions that disagree.
 */
export function createTransport(server: string, config: TransportConfig): ServerTransport {
  const url = new URL(server);
  // A base URL may carry a path prefix (a proxy in front of CrateDB); credentials never reach the pool.
  const basePath = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connect: {
      timeout: config.connectTimeoutMs,
      rejectUnauthorized: config.tls.rejectUnauthorized,
      ...(config.tls.ca === undefined ? {} : { ca: config.tls.ca }),
      ...(config.tls.cert === undefined ? {} : { cert: config.tls.cert }),
      ...(config.tls.key === undefined ? {} : { key: config.tls.key }),
    },
  });
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/json',
    'default-schema': config.schema,
    'user-agent': 'cratedb-migrate',
  };
  const authorization = authorizationHeader(config.auth);
  if (authorization !== undefined) headers.authorization = authorization;

  function request(req: HttpRequest): Promise<HttpOutcome> {
    if (req.signal?.aborted) {
      const cause = req.signal.reason;
      return Promise.resolve({ ok: false, sent: false, aborted: true, reason: 'aborted', cause });
    }
    return new Promise((resolve) => {
      let sent = false;
      let settled = false;
      let controller: Dispatcher.DispatchController | undefined;
      let cancelReason: unknown;
      let stoppedBy: 'caller' | 'timeout' | undefined;
      let status = 0;
      let contentType: string | undefined;
      const chunks: Buffer[] = [];

      const finish = (outcome: HttpOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const fail = (cause: unknown): void => {
        finish({
          ok: false,
          sent,
          aborted: stoppedBy === 'caller',
          reason: describeFailure(cause, config.connectTimeoutMs),
          cause,
        });
      };
      // Before the request reaches a socket there is nothing to abort in undici: answer at once, and
      // abort in onRequestStart so that it is never written.
      const cancel = (reason: unknown): void => {
        if (controller !== undefined) controller.abort(reason as Error);
        else {
          cancelReason = reason;
          fail(reason);
        }
      };
      const onAbort = (): void => {
        stoppedBy ??= 'caller';
        cancel(req.signal?.reason);
      };
      const timer = setTimeout(() => {
        stoppedBy ??= 'timeout';
        cancel(new RequestTimeout(req.timeoutMs));
      }, req.timeoutMs);
      req.signal?.addEventListener('abort', onAbort, { once: true });

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(ctrl) {
          if (cancelReason !== undefined) {
            ctrl.abort(cancelReason as Error);
            return;
          }
          controller = ctrl;
          // undici writes a Buffer body synchronously right after this call: from here on the server may
          // receive the statement and run it.
          sent = true;
        },
        onResponseStart(_ctrl, statusCode, responseHeaders) {
          status = statusCode;
          const type = responseHeaders['content-type'];
          contentType = Array.isArray(type) ? type[0] : type;
        },
        onResponseData(_ctrl, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          finish({ ok: true, response: { status, contentType, text: Buffer.concat(chunks).toString('utf8') } });
        },
        onResponseError(_ctrl, err) {
          fail(err);
        },
      };

      try {
        pool.dispatch(
          {
            origin: url.origin,
            method: req.method,
            path: basePath + req.path,
            headers,
            ...(req.body === undefined ? {} : { body: Buffer.from(req.body, 'utf8') }),
            // Our own timer bounds the whole exchange; undici's would cut a 60 s CrateDB wait short at 300 s
            // for no reason of ours, or fire with a different error.
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          handler,
        );
      } catch (err) {
        fail(err);
      }
    });
  }

  return {
    server,
    request,
    close: () => pool.close(),
  };
}
