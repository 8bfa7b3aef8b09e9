/**
 * CrateDB's `/_sql` request body rules and answer shapes, per version, as the transcripts recorded
 * them (01-protocol in transcripts/ and transcripts-5.10/). Pure functions: no I/O.
 */
import type { CrateVersion } from './contract.js';
import { VERSIONS } from './engine/version.js';
import { parseJson } from './json.js';

/** A CrateDB error answer before serialization. */
export interface ErrorAnswer {
  status: number;
  body: { error: { message: string; code: number }; error_trace?: string };
}

/** A validated `/_sql` body: `args` wins over `bulk_args` as in CrateDB's SqlHttpHandler. */
export type SqlBody = { stmt: string; args?: unknown[]; bulkArgs?: unknown[][] };

const ALLOWED_KEYS = new Set(['stmt', 'args', 'bulk_args']);

/** A CrateDB error body with its HTTP status. */
export function crateError(status: number, code: number, message: string): ErrorAnswer {
  return { status, body: { error: { message, code } } };
}

/**
 * Parses and checks a `/_sql` body. 6.4 answers a bad payload with `Can't parse [...]` and a missing
 * or empty `stmt` with 5000; 5.10 answers all of them with `Failed to parse source [<body as sent>]`.
 */
export function parseSqlBody(raw: string, version: CrateVersion): SqlBody | ErrorAnswer {
  if (raw.length === 0) return crateError(400, 4000, 'SQLParseException[Missing request body]');
  const malformed = (): ErrorAnswer =>
    version === '5.10'
      ? crateError(400, 4000, `SQLParseException[Failed to parse source [${raw}]]`)
      : crateError(
          400,
          4000,
          `SQLParseException[Can't parse [${raw}]. Expecting payload with \`stmt\` string and \`args\` or \`bulk_args\` arrays]`,
        );
  let parsed: unknown;
  try {
    parsed = parseJson(raw);
  } catch {
    return malformed();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return malformed();
  const body = parsed as Record<string, unknown>;
  if (Object.keys(body).some((key) => !ALLOWED_KEYS.has(key))) return malformed();
  const { stmt } = body;
  const args = body.args ?? undefined;
  const bulkArgs = body.bulk_args ?? undefined;
  if (args !== undefined && !Array.isArray(args)) return malformed();
  if (bulkArgs !== undefined && !(Array.isArray(bulkArgs) && bulkArgs.every(Array.isArray))) return malformed();
  if (stmt === undefined || stmt === null) {
    return version === '5.10' ? malformed() : crateError(500, 5000, 'SQLParseSourceException[Field [stmt] is missing]');
  }
  if (typeof stmt !== 'string') return malformed();
  if (stmt.length === 0) {
    return version === '5.10' ? malformed() : crateError(500, 5000, 'SQLParseSourceException[Field [stmt] has no value]');
  }
  if (args !== undefined && args.length > 0 && bulkArgs !== undefined && bulkArgs.length > 0) {
    return crateError(
      400,
      4000,
      "SQLParseException[request body contains args and bulk_args. It's forbidden to provide both]",
    );
  }
  if (args !== undefined || bulkArgs === undefined) return { stmt, args: args as unknown[] | undefined };
  return { stmt, bulkArgs: bulkArgs as unknown[][] };
}

/** `?flag` or `?flag=true`, the only two spellings CrateDB takes as set. */
export function queryFlag(params: URLSearchParams, flag: string): boolean {
  const values = params.getAll(flag);
  return values.length === 1 && (values[0] === '' || values[0] === 'true');
}

/**
 * A Java-like stack trace for `?error_trace=true`. CrateDB's is its real stack; clients only show it,
 * so the shape matters (exception class, message, `\tat` frames), not the frames themselves.
 */
export function errorTrace(message: string): string {
  const match = /^(\w+)\[([\s\S]*)\]$/.exec(message);
  const name = match?.[1] ?? 'SQLActionException';
  const text = match?.[2] ?? message;
  const pkg = name === 'ParsingException' ? 'io.crate.sql.parser' : 'io.crate.exceptions';
  return (
    `${pkg}.${name}: ${text}\n` +
    '\tat io.crate.session.Session.parse(Session.java:347)\n' +
    '\tat io.crate.rest.action.SqlHttpHandler.executeSimpleRequest(SqlHttpHandler.java:238)\n' +
    '\tat io.crate.rest.action.SqlHttpHandler.handleSQLRequest(SqlHttpHandler.java:219)\n' +
    '\tat io.crate.rest.action.SqlHttpHandler.channelRead0(SqlHttpHandler.java:128)\n'
  );
}

/** `GET /` as CrateDB answers it: version number and Lucene version per CrateDB version. */
export function clusterInfo(version: CrateVersion, name: string, clusterName: string): Record<string, unknown> {
  const v = VERSIONS[version];
  return {
    ok: true,
    status: 200,
    name,
    cluster_name: clusterName,
    version: {
      number: v.number,
      build_hash: v.buildHash,
      build_timestamp: 'NA',
      build_snapshot: false,
      lucene_version: v.luceneVersion,
    },
  };
}

