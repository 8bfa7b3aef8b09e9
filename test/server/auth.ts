/**
 * `Authorization` header handling as CrateDB's HTTP auth with the tarball's host-based config: no
 * header means user `crate` (trusted from localhost), Basic credentials are checked by the engine,
 * Bearer tokens are looked up in the server's configured token map (our stand-in for JWT validation).
 */
import type { Engine } from './contract.js';

/** Who a request is from, or why it is refused (the plain-text 401 body). */
export type AuthResult = { ok: true; user: string } | { ok: false; message: string };

/** The user CrateDB assumes when a request carries no credentials. */
export const TRUSTED_USER = 'crate';

/** Checks a request's `Authorization` header value. */
export async function authenticate(
  header: string | undefined,
  engine: Engine,
  tokens: ReadonlyMap<string, string>,
): Promise<AuthResult> {
  if (header === undefined || header.trim() === '') return { ok: true, user: TRUSTED_USER };
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? undefined : decoded.slice(colon + 1);
    // An empty user name falls back to the trusted default user, as CrateDB's userFromAuthHeader does.
    const name = user === '' ? TRUSTED_USER : user;
    if (await engine.authenticate(name, password)) return { ok: true, user: name };
    return { ok: false, message: `password authentication failed for user "${name}"\n` };
  }
  if (scheme === 'bearer') {
    const user = tokens.get(value);
    if (user !== undefined) return { ok: true, user };
    return { ok: false, message: 'jwt authentication failed: token not recognized\n' };
  }
  return { ok: false, message: `unsupported authentication scheme "${scheme}"\n` };
}
