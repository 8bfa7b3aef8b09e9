import { CrateDbError, type StatementOrigin } from '../errors.js';
import type { Auth } from '../config/types.js';
import { isSuperuser } from './missing.js';
import type { HttpResponse } from './transport.js';

/** What an error message can say about the request that failed. */
export interface RequestContext {
  server: string;
  statement?: string;
  origin?: StatementOrigin;
  auth?: Auth;
}

/** Statements kept on an error longer than this are cut: a seed's generated INSERT can be megabytes. */
const MAX_STATEMENT_CHARS = 4_000;
/** How much of a statement a one-line message shows. */
const SNIPPET_CHARS = 160;

// `CREATE USER u WITH (password = '...')` / `ALTER USER u SET (password = '...')` in a migration must not
// put the password into an error message or a log line.
const PASSWORD_LITERAL = /(password\s*=\s*)'(?:[^']|'')*'/gi;

/** The statement as kept on an error: password literals masked, very long ones cut with a note. */
function truncateStatement(stmt: string): string {
  const masked = stmt.replace(PASSWORD_LITERAL, "$1'[redacted]'");
  if (masked.length <= MAX_STATEMENT_CHARS) return masked;
  return `${masked.slice(0, MAX_STATEMENT_CHARS)}… (${masked.length - MAX_STATEMENT_CHARS} more characters)`;
}

/** ` in <file:line>: <statement>` for the end of a message, or nothing when there is nothing to say. */
export function whereText(ctx: Pick<RequestContext, 'statement' | 'origin'>): string {
  const parts: string[] = [];
  if (ctx.origin !== undefined) parts.push(` at ${ctx.origin.file}:${ctx.origin.line}`);
  if (ctx.statement !== undefined) {
    const flat = ctx.statement.replace(PASSWORD_LITERAL, "$1'[redacted]'").replace(/\s+/g, ' ').trim();
    parts.push(` in: ${flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat}`);
  }
  return parts.join('');
}

/** What to look at for codes whose CrateDB message misleads on its own. */
function hintFor(crateCode: number, auth: Auth | undefined): string {
  switch (crateCode) {
    case 4045:
      return !isSuperuser(auth)
        ? ' CrateDB hides schemas a user has no privilege on: check the GRANTs of the configured user, not only that the schema exists.'
        : '';
    case 4010:
    case 4011:
      return ' Grant the missing privilege to the configured user (GRANT ... ON SCHEMA ... TO ...).';
    case 5002:
      return ' A shard has no live copy (a node is down?): check SELECT table_name, health FROM sys.health.';
    default:
      return '';
  }
}

function userOf(auth: Auth | undefined): string {
  if (auth === undefined) return 'crate (no credentials configured)';
  return 'jwt' in auth ? 'given by the JWT' : `"${auth.user}"`;
}

function authFailure(response: HttpResponse, ctx: RequestContext): CrateDbError {
  const said = response.text.trim().slice(0, 300);
  const check =
    ctx.auth !== undefined && 'jwt' in ctx.auth
      ? 'Check that the JWT (config key `jwt`) is valid, not expired, and matches the user\'s JWT properties.'
      : 'Check the user and password (config keys `user`/`password`, or user:password@ in CRATEDB_URL), that the user exists, and that host-based auth lets it in from this host.';
  return new CrateDbError(
    `Authentication failed for user ${userOf(ctx.auth)} on ${ctx.server}` +
      `${said === '' ? '' : ` (CrateDB: ${said})`}. ${check}`,
    0,
    response.status,
    ctx.server,
    ctx.statement === undefined ? undefined : truncateStatement(ctx.statement),
    ctx.origin,
  );
}

function crateError(response: HttpResponse, error: { message: string; code: number }, ctx: RequestContext): CrateDbError {
  return new CrateDbError(
    `${ctx.origin === undefined ? '' : `${ctx.origin.file}:${ctx.origin.line}: `}${error.message} ` +
      `(CrateDB code ${error.code}, HTTP ${response.status}, server ${ctx.server})` +
      `${whereText({ statement: ctx.statement })}.${hintFor(error.code, ctx.auth)}`,
    error.code,
    response.status,
    ctx.server,
    ctx.statement === undefined ? undefined : truncateStatement(ctx.statement),
    ctx.origin,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorObject(body: unknown): { message: string; code: number } | undefined {
  const error = (body as { error?: unknown } | null)?.error as { message?: unknown; code?: unknown } | undefined;
  if (typeof error !== 'object' || error === null || typeof error.message !== 'string') return undefined;
  return { message: error.message, code: typeof error.code === 'number' ? error.code : 0 };
}

/**
 * Reads a CrateDB answer: the JSON object of a 2xx, or a `CrateDbError` for everything else — CrateDB's
 * `{"error":{"message","code"}}` (any status, 5xx included), a plain-text 401 (bad credentials: CrateDB
 * answers those without JSON), or a body that is not CrateDB's at all (a proxy's error page).
 */
export function readAnswer(response: HttpResponse, ctx: RequestContext): Record<string, unknown> {
  const body = parseJson(response.text);
  const error = errorObject(body);
  if (error !== undefined) throw crateError(response, error, ctx);
  if (response.status === 401) throw authFailure(response, ctx);
  if (response.status >= 200 && response.status < 300 && typeof body === 'object' && body !== null) {
    return body as Record<string, unknown>;
  }
  const said = response.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  throw new CrateDbError(
    `${ctx.server} answered HTTP ${response.status} with ${body === undefined ? 'a body that is not JSON' : 'JSON that is not a CrateDB answer'}` +
      `${said === '' ? '' : ` (${said})`}${whereText(ctx)}. ${
        // A gateway status comes from a proxy in front of CrateDB: the URL is right, what is behind it is not answering.
        response.status >= 502 && response.status <= 504
          ? 'A proxy or load balancer answered for CrateDB: check that the CrateDB nodes behind it are running.'
          : "Check that the URL points at CrateDB's HTTP port (4200 by default)."
      }`,
    0,
    response.status,
    ctx.server,
    ctx.statement === undefined ? undefined : truncateStatement(ctx.statement),
    ctx.origin,
  );
}
