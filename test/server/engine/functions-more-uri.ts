/**
 * parse_uri and parse_url (ParseURIFunction, ParseURLFunction): CrateDB hands the text to java.net.URI and, for
 * parse_url, on to java.net.URL. PG has neither, so the text is split with RFC 3986's regular expression and
 * checked against the rules of Java's URI parser that decide between an answer and `unable to parse ...`: the
 * characters it refuses, `%` escapes, the scheme's form, an opaque part that is empty, an empty authority, and a
 * server authority (user info, host name or address, port) as opposed to a registry one (then no host, user info
 * or port). Java's finer points (its exact host grammar, invalid UTF-8 in escapes) are approximated.
 */
import type { MoreMapper } from './functions-more.js';
import type { Typed } from './scope.js';
import { sqlFail } from './storage.js';
import { T } from './types.js';

const fail = (message: string): string => sqlFail(message, 'jsonb');

/** The parts of `u` (a text column `u` of the FROM the callers build): scheme, //authority, path, ?query, #fragment. */
const SPLIT = `regexp_match(a.u, '^(?:([^:/?#]*):)?(//([^/?#]*))?([^?#]*)(?:\\?([^#]*))?(?:#(.*))?$')`;

/** Java's URI accepts reserved, unreserved, escaped and non-ASCII characters; not these. */
const ILLEGAL = `'[\\x01-\\x20"<>\\\\^\`{|}\\x7f\\x00]|%(?![0-9A-Fa-f]{2})|#.*#'`;
const LABEL = '[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?';
const OCTET = '(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])';
/** A server host as URI.Parser takes it: IPv6 in brackets, IPv4, or a host name whose last label starts with a letter. */
const HOST = `'^(\\[[0-9A-Fa-f:.]+\\]|${OCTET}(\\.${OCTET}){3}|${LABEL}\\.?|(${LABEL}\\.)+[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?\\.?)$'`;
const USERINFO = `'^([A-Za-z0-9_.!~*''();:&=+$,-]|%[0-9A-Fa-f]{2}|[^\\x01-\\x7f])*$'`;
const REG_NAME = `'^([A-Za-z0-9_.!~*''()$,;:@&=+-]|%[0-9A-Fa-f]{2}|[^\\x01-\\x7f])+$'`;

/**
 * The FROM of a subquery with the columns both functions read: `u` (the text), `g` (its parts), `opaque`, `server`
 * (the authority parses as user info, host and port: `s`), `valid` (URI would take it).
 */
function components(arg: Typed): string {
  const value = arg.type?.kind === 'text' ? arg.sql : `CAST(${arg.sql} AS text)`;
  return `(SELECT ${value} AS u) a
    CROSS JOIN LATERAL (SELECT ${SPLIT} AS g) b
    CROSS JOIN LATERAL (SELECT b.g[1] IS NOT NULL AND b.g[2] IS NULL AND b.g[4] NOT LIKE '/%' AS opaque,
      regexp_match(b.g[3], '^(?:([^@]*)@)?(\\[[^\\]]*\\]|[^@:\\[\\]]*)(?::([0-9]*))?$') AS s) c
    CROSS JOIN LATERAL (SELECT c.s IS NOT NULL AND (c.s[1] IS NULL OR c.s[1] ~ ${USERINFO}) AND c.s[2] ~ ${HOST}
      AND (c.s[3] IS NULL OR length(c.s[3]) < 10 OR CAST(c.s[3] AS numeric) <= 2147483647) AS server) d
    CROSS JOIN LATERAL (SELECT a.u !~ ${ILLEGAL}
      AND (b.g[1] IS NULL OR b.g[1] ~ '^[A-Za-z][A-Za-z0-9+.-]*$')
      AND NOT (c.opaque AND b.g[4] = '' AND b.g[5] IS NULL)
      AND NOT (b.g[3] = '' AND b.g[4] = '' AND b.g[5] IS NULL)
      AND (b.g[3] IS NULL OR b.g[3] = '' OR d.server OR b.g[3] ~ ${REG_NAME})
      AND b.g[4] !~ '[][]' AS valid) e`;
}

/** `%XX` escapes decoded as UTF-8 (URI.decode); with `plus`, `+` is a space first (URLDecoder.decode). */
function decoded(s: string, plus = false): string {
  const src = plus ? `replace(${s}, '+', ' ')` : s;
  const bytes = `CASE WHEN r.g[1] IS NOT NULL THEN decode(substr(r.g[1], 2), 'hex') ELSE convert_to(r.g[2], 'UTF8') END`;
  return `(CASE WHEN ${s} IS NULL THEN NULL ELSE (SELECT COALESCE(convert_from(string_agg(${bytes}, ''::bytea ORDER BY r.n), 'UTF8'), '')
    FROM regexp_matches(${src}, '(%[0-9A-Fa-f]{2})|([^%]+)', 'g') WITH ORDINALITY AS r(g, n)) END)`;
}

const URI_TYPE = T.object([
  { name: 'scheme', type: T.text }, { name: 'userinfo', type: T.text }, { name: 'hostname', type: T.text },
  { name: 'port', type: T.integer }, { name: 'path', type: T.text }, { name: 'query', type: T.text }, { name: 'fragment', type: T.text },
]);

/** parse_uri(text): an object of the URI's parts, NULL for NULL; user info, path, query and fragment decoded. */
const parseUri: MoreMapper = ([arg]) => {
  const hier = 'NOT c.opaque';
  const server = (part: string): string => `CASE WHEN d.server THEN ${part} END`;
  const parts = [
    `'scheme', b.g[1]`,
    `'userinfo', ${decoded(server('c.s[1]'))}`,
    `'hostname', ${server('c.s[2]')}`,
    `'port', ${server(`CAST(NULLIF(c.s[3], '') AS integer)`)}`,
    `'path', CASE WHEN ${hier} THEN ${decoded('b.g[4]')} END`,
    `'query', CASE WHEN ${hier} THEN ${decoded('b.g[5]')} END`,
    `'fragment', ${decoded('b.g[6]')}`,
  ];
  return {
    sql: `(SELECT CASE WHEN a.u IS NULL THEN NULL WHEN NOT e.valid THEN ${fail(`'unable to parse uri ' || a.u`)}
      ELSE jsonb_build_object(${parts.join(', ')}) END FROM ${components(arg!)})`,
    type: URI_TYPE,
  };
};

/**
 * CrateDB types parse_url's result as an object without inner types, whose subscripts it reads at run time; the
 * engine resolves subscripts by type, so the keys the function always sets are typed here (the parameters'
 * keys are the URL's: that object ignores unknown keys).
 */
const URL_TYPE = T.object([
  { name: 'scheme', type: T.text }, { name: 'userinfo', type: T.text }, { name: 'hostname', type: T.text },
  { name: 'port', type: T.integer }, { name: 'path', type: T.text }, { name: 'query', type: T.text },
  { name: 'parameters', type: T.object([], 'ignored') }, { name: 'fragment', type: T.text },
]);

/** The protocols java.net.URL has a handler for; another scheme is a MalformedURLException. */
const PROTOCOLS = ['http', 'https', 'ftp', 'file', 'jar', 'mailto', 'jrt'];

/**
 * Query parameters as ParseURLFunction.parseQuery splits them: on `&` not followed by `amp`, trailing empty
 * pieces dropped (String.split), a key without `=` or with nothing after it has the value NULL.
 */
function parameters(query: string): string {
  const pieces = `regexp_split_to_table(${query}, '&(?!amp)') WITH ORDINALITY AS p(piece, n)`;
  const kept = `(SELECT p.piece, p.n, strpos(p.piece, '=') AS eq FROM ${pieces}
    WHERE p.n <= (SELECT max(q.n) FROM regexp_split_to_table(${query}, '&(?!amp)') WITH ORDINALITY AS q(piece, n) WHERE q.piece <> ''))`;
  const key = `CASE WHEN k.eq > 1 THEN left(k.piece, k.eq - 1) ELSE k.piece END`;
  const value = `CASE WHEN k.eq > 1 AND length(k.piece) > k.eq THEN substr(k.piece, k.eq + 1) END`;
  const pairs = `SELECT ${decoded(key, true)} AS key, ${decoded(value, true)} AS val, k.n FROM ${kept} k`;
  return `(CASE WHEN ${query} IS NULL OR ${query} = '' THEN NULL ELSE (SELECT jsonb_object_agg(kv.key, kv.vals) FROM (
    SELECT x.key, jsonb_agg(x.val ORDER BY x.n) AS vals FROM (${pairs}) x GROUP BY x.key) kv) END)`;
}

/** parse_url(text): as parse_uri, the scheme lower-cased, host and port as java.net.URL reads its authority. */
const parseUrl: MoreMapper = ([arg]) => {
  // URL splits the authority at its only `@` and the host's `:`; with several `@` there is no host (URLStreamHandler.parseURL).
  const at = `(CASE WHEN b.g[3] IS NULL THEN NULL WHEN b.g[3] ~ '@.*@' THEN NULL ELSE regexp_match(b.g[3], '^(?:([^@]*)@)?(.*)$') END)`;
  const hostPort = `regexp_match(f.au[2], '^(\\[[^\\]]*\\]|[^:]*)(?::(.*))?$')`;
  const parts = [
    `'scheme', lower(b.g[1])`,
    `'userinfo', ${decoded('f.au[1]', true)}`,
    `'hostname', COALESCE(h.hp[1], '')`,
    `'port', CAST(NULLIF(h.hp[2], '') AS integer)`,
    `'path', ${decoded('b.g[4]', true)}`,
    `'query', ${decoded('b.g[5]', true)}`,
    `'parameters', ${parameters('b.g[5]')}`,
    `'fragment', ${decoded('b.g[6]', true)}`,
  ];
  const badPort = `h.hp[2] IS NOT NULL AND h.hp[2] <> '' AND (h.hp[2] !~ '^[0-9]{1,10}$' OR CAST(h.hp[2] AS numeric) > 2147483647)`;
  return {
    sql: `(SELECT CASE WHEN a.u IS NULL THEN NULL WHEN NOT e.valid THEN ${fail(`'unable to parse url ' || a.u`)}
      WHEN b.g[1] IS NULL THEN ${fail(`'URI is not absolute'`)}
      WHEN NOT (lower(b.g[1]) = ANY(ARRAY[${PROTOCOLS.map((p) => `'${p}'`).join(', ')}])) OR (${badPort}) THEN ${fail(`'unable to parse url ' || a.u`)}
      ELSE jsonb_build_object(${parts.join(', ')}) END
      FROM ${components(arg!)} CROSS JOIN LATERAL (SELECT ${at} AS au) f CROSS JOIN LATERAL (SELECT ${hostPort} AS hp) h)`,
    type: URL_TYPE,
  };
};

export const URI_FUNCTIONS: Record<string, MoreMapper> = {
  parse_uri: parseUri,
  parse_url: parseUrl,
};
