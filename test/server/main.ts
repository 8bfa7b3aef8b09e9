/**
 * `npm run test-server -- --port 4299 [--crate-version 6.4|5.10] [--nodes N] [--recovering-ms N]
 * [--user name:password]... [--token token:user]...`: the CrateDB test server on its own, on 127.0.0.1
 * only, until SIGINT/SIGTERM.
 * Prints one `listening on <url>` line per node.
 */
import { parseArgs } from 'node:util';
import type { CrateVersion } from './contract.js';
import { DEFAULT_RECOVERING_MS, startTestServer } from './index.js';

const USAGE =
  'usage: npm run test-server -- [--port 4200] [--crate-version 6.4|5.10] [--nodes 1] ' +
  `[--recovering-ms ${DEFAULT_RECOVERING_MS}] ` +
  '[--user name:password]... [--token token:user]...';

function pairs(values: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const colon = value.indexOf(':');
    if (colon <= 0) throw new Error(`--${what} must be ${what === 'user' ? 'name:password' : 'token:user'}, got "${value}"`);
    out[value.slice(0, colon)] = value.slice(colon + 1);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4200' },
      'crate-version': { type: 'string', default: '6.4' },
      nodes: { type: 'string', default: '1' },
      'recovering-ms': { type: 'string', default: String(DEFAULT_RECOVERING_MS) },
      user: { type: 'string', multiple: true },
      token: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = Number(values.port);
  const nodes = Number(values.nodes);
  const version = values['crate-version'];
  const recoveringMs = Number(values['recovering-ms']);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port must be 1..65535, got "${values.port}"`);
  if (!Number.isInteger(nodes) || nodes < 1 || port + nodes - 1 > 65535) throw new Error(`--nodes must be >= 1, got "${values.nodes}"`);
  if (!Number.isInteger(recoveringMs) || recoveringMs < 0) {
    throw new Error(`--recovering-ms must be an integer >= 0 (0 turns the window off), got "${values['recovering-ms']}"`);
  }
  if (version !== '6.4' && version !== '5.10') throw new Error(`--crate-version must be 6.4 or 5.10, got "${version}"`);

  const server = await startTestServer({
    version: version as CrateVersion,
    nodes,
    port,
    recoveringMs,
    users: pairs(values.user, 'user'),
    tokens: pairs(values.token, 'token'),
    // Served for hours by hand: keep the request log bounded.
    requestLogLimit: 10_000,
  });
  for (const url of server.urls) console.log(`listening on ${url}`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        console.error(`test server: error while closing: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`test server: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exitCode = 2;
});
