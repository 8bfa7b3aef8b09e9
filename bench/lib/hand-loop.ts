/**
 * The limit a seeder is measured against: a minimal hand-written `bulk_args` upsert loop on undici, as an
 * application would write it. It reads the same NDJSON file, sends batches of `batchSize` rows with up to
 * `inFlight` requests at once, and counts the rows CrateDB did not write. No conversion, no accounting
 * beyond that, no retries.
 */
import { Pool } from 'undici';
import { parseServerUrl } from '../../src/config/urls.js';
import { EVENTS_COLUMNS, readEventRows } from './ndjson.js';

export interface HandLoopResult {
  written: number;
  failed: number;
}

/** `INSERT ... ON CONFLICT (id) DO UPDATE SET` every other column, as the seeder's upsert sends it. */
export function upsertStatement(table: string): string {
  const cols = EVENTS_COLUMNS.map((c) => `"${c}"`);
  const updates = cols.slice(1).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT ("id") DO UPDATE SET ${updates.join(', ')}`;
}

/** A pool and headers for a URL that may carry credentials. */
export function rawPool(url: string, connections: number): { pool: Pool; headers: Record<string, string> } {
  const parsed = parseServerUrl(url);
  if ('error' in parsed) throw new Error(`CRATEDB_URL ${parsed.error}`);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (parsed.user !== undefined) headers.authorization = `Basic ${Buffer.from(`${parsed.user}:${parsed.password ?? ''}`).toString('base64')}`;
  return { pool: new Pool(parsed.server, { connections }), headers };
}

export async function handLoop(url: string, file: string, table: string, batchSize: number, inFlight: number): Promise<HandLoopResult> {
  const { pool, headers } = rawPool(url, inFlight);
  const stmt = upsertStatement(table);
  const result: HandLoopResult = { written: 0, failed: 0 };
  const pending = new Set<Promise<void>>();
  const send = async (bulkArgs: unknown[][]) => {
    const res = await pool.request({ method: 'POST', path: '/_sql', headers, body: JSON.stringify({ stmt, bulk_args: bulkArgs }) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`bulk request answered ${res.statusCode}: ${text.slice(0, 300)}`);
    for (const item of (JSON.parse(text) as { results: Array<{ rowcount: number }> }).results) {
      if (item.rowcount >= 0) result.written += item.rowcount;
      else result.failed++;
    }
  };
  const dispatch = async (bulkArgs: unknown[][]) => {
    while (pending.size >= inFlight) await Promise.race(pending);
    const p = send(bulkArgs).finally(() => pending.delete(p));
    pending.add(p);
  };
  try {
    let batch: unknown[][] = [];
    for await (const row of readEventRows(file)) {
      batch.push(EVENTS_COLUMNS.map((c) => row[c]));
      if (batch.length === batchSize) {
        await dispatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await dispatch(batch);
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  return result;
}

/** One `INSERT` request per row, sequentially: the tutorial's ORM path. */
export async function singleInserts(url: string, table: string, rows: number, offset: number): Promise<void> {
  const { pool, headers } = rawPool(url, 1);
  const cols = EVENTS_COLUMNS.map((c) => `"${c}"`);
  const stmt = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
  try {
    for (let i = offset; i < offset + rows; i++) {
      const args = [`s${i}`, `Event number ${i}`, i, '2026-01-01T00:00:00Z', ['t']];
      const res = await pool.request({ method: 'POST', path: '/_sql', headers, body: JSON.stringify({ stmt, args }) });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`INSERT answered ${res.statusCode}: ${text.slice(0, 300)}`);
    }
  } finally {
    await pool.close();
  }
}
