/**
 * What a runner with nothing to do costs: requests and time of `up` when every migration is applied
 * (application start-up pays this on every boot), against `SELECT 1` through the same client and server.
 * Against the in-process test server, or CRATEDB_URL when set. Prints figures and ratios; asserts nothing.
 *
 *   npx tsx bench/migrate.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createClient, createMigrator, defaultConfig, type CrateClient } from '../src/index.js';
import { startCrate } from '../test/support/crate.js';

const ROUNDS = 50;

/** Counts the requests a client sends. */
function counting(client: CrateClient): CrateClient & { requests: number } {
  const counted = {
    requests: 0,
    sql: (...a: Parameters<CrateClient['sql']>) => (counted.requests++, client.sql(...a)),
    bulk: (...a: Parameters<CrateClient['bulk']>) => (counted.requests++, client.bulk(...a)),
    refresh: (...a: Parameters<CrateClient['refresh']>) => (counted.requests++, client.refresh(...a)),
    ping: (...a: Parameters<CrateClient['ping']>) => (counted.requests++, client.ping(...a)),
    close: () => client.close(),
  };
  return counted;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchMigrate(): Promise<void> {
  const target = await startCrate();
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-bench-'));
  try {
    for (let i = 1; i <= 20; i++) {
      await writeFile(
        path.join(dir, `${String(i).padStart(3, '0')}_t${i}.sql`),
        `-- migrate:up\nCREATE TABLE IF NOT EXISTS "${target.schema}"."t${i}" (id TEXT PRIMARY KEY);\n-- migrate:down\nDROP TABLE IF EXISTS "${target.schema}"."t${i}";\n`,
      );
    }
    const config = {
      ...defaultConfig([target.url], dir),
      migrationsDir: dir,
      historyTable: { schema: `${target.schema}_cm`, table: 'migrations' },
      lockTable: { schema: `${target.schema}_cm`, table: 'lock' },
    };
    const client = counting(createClient(config));
    const migrator = createMigrator({ config, client, logger: pino({ level: 'silent' }) });
    const first = performance.now();
    await migrator.up();
    const firstMs = performance.now() - first;
    const firstRequests = client.requests;

    const baseline: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await client.sql('SELECT 1');
      baseline.push(performance.now() - t);
    }
    const noop: number[] = [];
    client.requests = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await migrator.up();
      noop.push(performance.now() - t);
    }
    const perNoop = client.requests / ROUNDS;
    await client.close();
    const server = target.real ? 'real CrateDB' : 'the test server';
    process.stdout.write(
      `against ${server}:\n` +
        `  first up, 20 migrations:   ${firstMs.toFixed(1)} ms, ${firstRequests} requests\n` +
        `  SELECT 1 (baseline):       p50 ${median(baseline).toFixed(2)} ms\n` +
        `  up with nothing to do:     p50 ${median(noop).toFixed(2)} ms, ${perNoop} requests\n` +
        `  ratio no-op up / SELECT 1: ${(median(noop) / median(baseline)).toFixed(1)}x\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    await target.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMigrate();
