import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** The rows every seed benchmark writes: a text key, text, a number, a timestamp and an array. */
export const EVENTS_COLUMNS = ['id', 'title', 'n', 'at', 'tags'] as const;
export const EVENTS_DDL = '(id TEXT PRIMARY KEY, title TEXT, n INTEGER, at TIMESTAMP WITH TIME ZONE, tags ARRAY(TEXT))';

export function eventRow(i: number): Record<(typeof EVENTS_COLUMNS)[number], unknown> {
  return {
    id: `e${i}`,
    title: `Event number ${i} of a generated seed`,
    n: i,
    at: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
    tags: [`t${i % 7}`, `g${i % 3}`],
  };
}

/** An NDJSON seed file: the `$seed` header line, then `rows` event rows. */
export async function writeEventsSeed(file: string, table: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${JSON.stringify({ $seed: { table, mode: 'upsert' } })}\n`);
  for (let i = 0; i < rows; i++) await write(`${JSON.stringify(eventRow(i))}\n`);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** The data lines of an NDJSON seed file (the `$seed` header skipped), parsed. */
export async function* readEventRows(file: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let first = true;
  for await (const line of lines) {
    if (first) {
      first = false;
      continue;
    }
    if (line.trim() !== '') yield JSON.parse(line) as Record<string, unknown>;
  }
}
