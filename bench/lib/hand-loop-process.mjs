// The hand-written `bulk_args` loop of hand-loop.ts as a whole process: `node hand-loop-process.mjs <url>
// <file> <table> <batchSize> <inFlight>` prints `{"written":n,"failed":n}`. The seed group times it from
// spawn to exit, like a `cratedb-migrate seed` process, so that both sides of that comparison pay node's
// start-up and their imports. Plain JS (no tsx loader), as an application would ship it; it repeats
// hand-loop.ts's few lines instead of importing them, since that TypeScript would need tsx to load.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';

const COLUMNS = ['id', 'title', 'n', 'at', 'tags'];
const [url, file, table, batchSize, inFlight] = process.argv.slice(2);
const parsed = new URL(url);
const headers = { 'content-type': 'application/json' };
if (parsed.username) {
  const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
}
const pool = new Pool(parsed.origin, { connections: Number(inFlight) });
const cols = COLUMNS.map((c) => `"${c}"`);
const stmt = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ` +
  `ON CONFLICT ("id") DO UPDATE SET ${cols.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;
const result = { written: 0, failed: 0 };
const pending = new Set();

async function send(bulkArgs) {
  const res = await pool.request({ method: 'POST', path: '/_sql', headers, body: JSON.stringify({ stmt, bulk_args: bulkArgs }) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`bulk request answered ${res.statusCode}: ${text.slice(0, 300)}`);
  for (const item of JSON.parse(text).results) {
    if (item.rowcount >= 0) result.written += item.rowcount;
    else result.failed++;
  }
}

async function dispatch(bulkArgs) {
  while (pending.size >= Number(inFlight)) await Promise.race(pending);
  const p = send(bulkArgs).finally(() => pending.delete(p));
  pending.add(p);
}

let batch = [];
let first = true;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  if (first) {
    first = false; // the $seed header
    continue;
  }
  if (line.trim() === '') continue;
  const row = JSON.parse(line);
  batch.push(COLUMNS.map((c) => row[c]));
  if (batch.length === Number(batchSize)) {
    await dispatch(batch);
    batch = [];
  }
}
if (batch.length > 0) await dispatch(batch);
await Promise.all(pending);
await pool.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
