import type { Auth } from './types.js';

/** A server URL split into the base URL the client uses and the credentials it carried, if any. */
export interface ServerUrl {
  /** Without credentials, query or trailing slash: safe to log. */
  server: string;
  user?: string;
  password?: string;
}

/**
 * Parses `http(s)://[user[:password]@]host[:port][/path]`. Credentials are percent-decoded and taken out of
 * the URL, so that a server string never carries a password into a log line or an error message.
 * Returns a message saying what is wrong instead when the URL is unusable.
 */
export function parseServerUrl(raw: string): ServerUrl | { error: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { error: 'is not a URL: expected e.g. http://localhost:4200' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `uses ${url.protocol}: CrateDB's HTTP endpoint needs http:// or https:// (port 4200 by default)` };
  }
  if (url.search !== '' || url.hash !== '') {
    return { error: 'must not have a query string or fragment' };
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  const out: ServerUrl = { server: `${url.protocol}//${url.host}${pathname}` };
  if (url.username !== '') {
    out.user = decodeURIComponent(url.username);
    if (url.password !== '') out.password = decodeURIComponent(url.password);
  }
  return out;
}

/** The URL as safe to show: credentials replaced, for messages about a URL that did not parse fully. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//[redacted]@');
}

/**
 * Parses a list of server URLs. `onError(index, message)` hears about each unusable one. Credentials carried
 * by the URLs become `auth`; `conflict` is true when they differ between URLs (one user serves all servers).
 */
export function parseServerList(
  raws: readonly string[],
  onError: (index: number, message: string) => void,
): { servers: string[]; auth?: Auth; conflict: boolean } {
  const servers: string[] = [];
  const credentials = new Map<string, Auth>();
  raws.forEach((raw, i) => {
    const parsed = parseServerUrl(raw);
    if ('error' in parsed) {
      onError(i, parsed.error);
      return;
    }
    servers.push(parsed.server);
    if (parsed.user !== undefined) {
      const auth: Auth = parsed.password === undefined ? { user: parsed.user } : { user: parsed.user, password: parsed.password };
      credentials.set(JSON.stringify(auth), auth);
    }
  });
  const auth = credentials.values().next().value;
  return { servers, ...(auth === undefined ? {} : { auth }), conflict: credentials.size > 1 };
}

/** The message for URLs whose credentials differ. */
export const CONFLICTING_CREDENTIALS = 'the URLs carry different credentials: use one user for all servers';
