import pino from 'pino';
import { afterEach, describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import { jsonSize } from '../../../src/seeds/json-size.js';
import { SeedError } from '../../../src/errors.js';
import { createSeeder } from '../../../src/seeds/seeder.js';
import type { SeedRunResult } from '../../../src/seeds/types.js';
import { MAX_BATCH_BYTES } from '../../../src/seeds/writer.js';
import { FakeCrate } from './fake-crate.js';
import { makeProject, type Project } from './helpers.js';

const BOOKS = { schema: 'doc', table: 'books' };

let project: Project | undefined;
/** The fake of the last seedLines call, also when the run threw. */
let lastCrate: FakeCrate | undefined;
afterEach(async () => {
  await project?.remove();
  project = undefined;
});

async function seedLines(lines: string[], batchSize?: number) {
  project = await makeProject({ 'seeds/wide.ndjson': `${lines.join('\n')}\n` });
  const crate = new FakeCrate();
  lastCrate = crate;
  crate.addTable(BOOKS, { columns: [['id', 'text'], ['title', 'text']], primaryKey: ['id'] });
  const config = defaultConfig(['http://127.0.0.1:1'], project.root);
  const result = await createSeeder({ config, client: crate, logger: pino({ level: 'silent' }) }).run(batchSize ? { batchSize } : {});
  return { crate, result };
}

describe('batches by rows and by bytes', () => {
  test('wide rows close a request at about MAX_BATCH_BYTES of values, every row still written once', async () => {
    const title = 'x'.repeat(100_000);
    const lines = ['{"$seed": {"table": "books"}}', ...Array.from({ length: 45 }, (_, i) => JSON.stringify({ id: String(i), title }))];
    const { crate, result } = await seedLines(lines);
    expect(result.seeds[0]).toMatchObject({ rows: 45, written: 45, failed: 0, skipped: 0 });
    const perRequest = Math.floor(MAX_BATCH_BYTES / jsonSize([String(0), title]));
    expect(crate.bulkSizes.every((n) => n <= perRequest)).toBe(true);
    expect(crate.bulkSizes.reduce((a, b) => a + b, 0)).toBe(45);
    expect(crate.bulkSizes.length).toBe(Math.ceil(45 / perRequest));
  });

  test('narrow rows go by batchSize: the default makes one request of 5,000 rows, an explicit one splits them', async () => {
    const lines = ['{"$seed": {"table": "books"}}', ...Array.from({ length: 5_000 }, (_, i) => JSON.stringify({ id: String(i), title: `t${i}` }))];
    expect((await seedLines(lines)).crate.bulkSizes).toEqual([5_000]);
    await project?.remove();
    expect((await seedLines(lines, 2_000)).crate.bulkSizes).toEqual([2_000, 2_000, 1_000]);
  });

  test('rows of other columns start a new request; the same columns in another key order share one', async () => {
    const lines = ['{"$seed": {"table": "books"}}', '{"id": "1", "title": "a"}', '{"title": "b", "id": "2"}', '{"id": "3"}',
      '{"id": "4", "title": "d", "pages": 9}', '{"id": "5", "title": "e"}', '{"title": null, "id": "6"}'];
    const err = await seedLines(lines).then(() => undefined, (e: unknown) => e as SeedError);
    expect(err).toBeInstanceOf(SeedError);
    const result = err!.result as SeedRunResult;
    expect(result.seeds[0]).toMatchObject({ rows: 6, written: 5, failed: 1 });
    expect(result.seeds[0]!.failures).toEqual([expect.objectContaining({ row: 4, line: 5, column: 'pages', stage: 'validate' })]);
    expect(lastCrate!.bulkSizes).toEqual([2, 1, 2]);
    expect(lastCrate!.rowsOf(BOOKS).map((r) => [r.id, r.title ?? null])).toEqual([['1', 'a'], ['2', 'b'], ['3', null], ['5', 'e'], ['6', null]]);
  });

  test('jsonSize is close to the length JSON.stringify gives for the values seeds send', () => {
    for (const value of [['abc', 12, true, null], { a: [1, 2, { b: 'text' }] }, 'plain', 1.5, [['t1', 'g2'], 1700000000000]]) {
      const actual = JSON.stringify(value).length;
      expect(jsonSize(value)).toBeGreaterThanOrEqual(actual * 0.8);
      expect(jsonSize(value)).toBeLessThanOrEqual(actual * 2 + 8);
    }
  });
});
