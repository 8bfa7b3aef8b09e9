// The floor of any command that talks to CrateDB: `node select-process.mjs <http|undici> <url> <n>` sends n
// `SELECT 1` at once, each over a new connection (as `status` sends its reads), and exits. No module of
// ours and no config: node's start-up, the HTTP client's import and first use, the connections and the
// answers. With `http` the client is node's own (loaded from the binary, no package); with `undici` it is
// undici's Pool imported from its own file, as src/client/transport.ts loads it. The cli group sets
// `status` against these, so that what no implementation can avoid is visible beside the target.
import { createRequire } from 'node:module';

const [client, url, count] = process.argv.slice(2);
const base = new URL(url);
const body = JSON.stringify({ stmt: 'SELECT 1' });
const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
if (base.username) {
  const credentials = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
  headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
}
const path = `${base.pathname.replace(/\/+$/, '')}/_sql`;

/** One request with node:http (or https), answered as text. */
async function viaNode() {
  const http = await import(base.protocol === 'https:' ? 'node:https' : 'node:http');
  const agent = new http.Agent({ keepAlive: true });
  const one = () => new Promise((resolve, reject) => {
    const req = http.request(base, { method: 'POST', path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode}: ${text}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
  const answers = await Promise.all(Array.from({ length: Number(count) }, one));
  agent.destroy();
  return answers;
}

/** The same with undici's Pool and its dispatch API, as the transport uses it. */
async function viaUndici() {
  const Pool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js');
  const pool = new Pool(base.origin);
  const one = () => new Promise((resolve, reject) => {
    const chunks = [];
    let status = 0;
    pool.dispatch({ method: 'POST', path, headers, body: Buffer.from(body) }, {
      onRequestStart() {},
      onResponseStart(_c, statusCode) { status = statusCode; },
      onResponseData(_c, chunk) { chunks.push(chunk); },
      onResponseEnd() {
        const text = Buffer.concat(chunks).toString('utf8');
        if (status === 200) resolve(text);
        else reject(new Error(`${status}: ${text}`));
      },
      onResponseError(_c, err) { reject(err); },
    });
  });
  const answers = await Promise.all(Array.from({ length: Number(count) }, one));
  await pool.close();
  return answers;
}

const answers = await (client === 'undici' ? viaUndici() : viaNode());
for (const text of answers) if (JSON.parse(text).rows?.[0]?.[0] !== 1) throw new Error(`not an answer to SELECT 1: ${text}`);
