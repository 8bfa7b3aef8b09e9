/**
 * Seeding benchmark: a generated 100,000-row NDJSON seed against a 10,000-row one (memory must stay flat:
 * the peak heap growth ratio should be near 1, not near 10), and the seeder's throughput against one INSERT
 * request per row (the tutorial's ORM path) on the same server. Prints figures and ratios; asserts nothing.
 *
 * Runs against the CrateDB at CRATEDB_URL, else the test server started in a child process, so that this
 * process's memory is the seeder's alone.
 *
 *   npx tsx bench/seed.ts            (add --expose-gc before the file for steadier baselines)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino from 'pino';
import { createClient } from '../src/client/client.js';
import type { CrateClient } from '../src/client/types.js';
import { defaultConfig } from '../src/config/defaults.js';
import type { ResolvedConfig } from '../src/config/types.js';
import { createSeeder } from '../src/seeds/seeder.js';

const SMALL = 10_000;
const LARGE = 100_000;
const SINGLE_INSERTS = 2_000;
const SAMPLE_MS = 10;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Memory {
  heapGrowthMb: number;
  /** Heap growth sampled right after a forced GC (only with --expose-gc): what the seeder really holds. */
  retainedGrowthMb?: number;
  rssGrowthMb: number;
}

/** Forced GCs while sampling: rare enough not to weigh on throughput, often enough to see what is retained. */
const GC_EVERY_SAMPLES = 25;

/** Samples heap and RSS while `work` runs; returns the peak growth over the values before it. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; memory: Memory }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const base = process.memoryUsage();
  let heapPeak = base.heapUsed;
  let retainedPeak = base.heapUsed;
  let rssPeak = base.rss;
  let samples = 0;
  const timer = setInterval(() => {
    let m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    if (gc && ++samples % GC_EVERY_SAMPLES === 0) {
      gc();
      m = process.memoryUsage();
      retainedPeak = Math.max(retainedPeak, m.heapUsed);
    }
    rssPeak = Math.max(rssPeak, m.rss);
  }, SAMPLE_MS);
  const start = performance.now();
  try {
    const value = await work();
    const mb = (bytes: number) => bytes / 2 ** 20;
    return {
      value,
      seconds: (performance.now() - start) / 1000,
      memory: {
        heapGrowthMb: mb(heapPeak - base.heapUsed),
        ...(gc ? { retainedGrowthMb: mb(retainedPeak - base.heapUsed) } : {}),
        rssGrowthMb: mb(rssPeak - base.rss),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

async function writeNdjson(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${JSON.stringify({ $seed: { table: 'events', mode: 'upsert' } })}\n`);
  for (let i = 0; i < rows; i++) {
    await write(`${JSON.stringify({
      id: `e${i}`, title: `Event number ${i} of a generated seed`, n: i, at: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
      tags: [`t${i % 7}`, `g${i % 3}`],
    })}\n`);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** The test server in a child process on a free port, until `stop()`. */
async function childServer(): Promise<{ url: string; stop(): void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const tsx = path.join(REPO, 'node_modules/tsx/dist/cli.mjs');
  const child: ChildProcess = spawn(process.execPath, [tsx, path.join(REPO, 'test/server/main.ts'), '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^listening on (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`test server exited with ${code} before listening`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

export async function benchSeed(): Promise<void> {
  const external = process.env.CRATEDB_URL?.split(',')[0]?.trim();
  const server = external ? undefined : await childServer();
  const url = external || server!.url;
  const schema = `bench_seed_${randomBytes(3).toString('hex')}`;
  const root = await mkdtemp(path.join(tmpdir(), 'cm-bench-seed-'));
  const seedsDir = path.join(root, 'seeds');
  const config: ResolvedConfig = {
    ...defaultConfig([url], root),
    schema,
    seedsTable: { schema: `${schema}_migrate`, table: 'seeds' },
    historyTable: { schema: `${schema}_migrate`, table: 'migrations' },
  };
  const client: CrateClient = createClient(config);
  const logger = pino({ level: 'silent' });
  const table = `"${schema}"."events"`;
  const recreate = async () => {
    await client.sql(`DROP TABLE IF EXISTS ${table}`);
    await client.sql(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, title TEXT, n INTEGER, at TIMESTAMP WITH TIME ZONE, tags ARRAY(TEXT))`);
  };
  try {
    process.stdout.write(`server: ${external ? 'CRATEDB_URL' : `test server (child process) ${url}`}\n`);
    const seedRun = async (rows: number) => {
      await rm(seedsDir, { recursive: true, force: true });
      await mkdir(seedsDir, { recursive: true });
      await writeNdjson(path.join(seedsDir, `events_${rows}.ndjson`), rows);
      await recreate();
      const seeder = createSeeder({ config, client, logger });
      return measured(() => seeder.run({ force: true }));
    };
    const small = await seedRun(SMALL);
    const large = await seedRun(LARGE);
    for (const [rows, r] of [[SMALL, small], [LARGE, large]] as const) {
      const seed = r.value.seeds[0]!;
      process.stdout.write(
        `seed ${rows} rows: ${seed.written} written, ${seed.failed} failed in ${r.seconds.toFixed(2)} s ` +
          `(${Math.round(rows / r.seconds)} rows/s); peak heap growth ${r.memory.heapGrowthMb.toFixed(1)} MB` +
          (r.memory.retainedGrowthMb === undefined ? '' : ` (after GC ${r.memory.retainedGrowthMb.toFixed(1)} MB)`) +
          `, peak RSS growth ${r.memory.rssGrowthMb.toFixed(1)} MB\n`,
      );
    }
    const ratio = (a: number, b: number) => (b > 0.5 ? (a / b).toFixed(2) : `n/a (10k growth ${b.toFixed(2)} MB)`);
    const retained = large.memory.retainedGrowthMb === undefined
      ? 'after GC n/a (run with --expose-gc)'
      : `after GC ${ratio(large.memory.retainedGrowthMb, small.memory.retainedGrowthMb!)}`;
    // The heap peak includes garbage V8 has not collected yet; RSS and the after-GC heap show what is held.
    process.stdout.write(`memory, 100k vs 10k rows (flat = near 1, linear = 10): heap ${ratio(large.memory.heapGrowthMb, small.memory.heapGrowthMb)}, ` +
      `${retained}, RSS ${ratio(large.memory.rssGrowthMb, small.memory.rssGrowthMb)}\n`);

    await recreate();
    const single = await measured(async () => {
      for (let i = 0; i < SINGLE_INSERTS; i++) {
        await client.sql(`INSERT INTO ${table} (id, title, n, at, tags) VALUES (?, ?, ?, ?, ?)`,
          [`s${i}`, `Event number ${i}`, i, Date.UTC(2026, 0, 1), ['t']]);
      }
    });
    const singleRate = SINGLE_INSERTS / single.seconds;
    const seedRate = LARGE / large.seconds;
    process.stdout.write(`one INSERT per row: ${SINGLE_INSERTS} rows in ${single.seconds.toFixed(2)} s (${Math.round(singleRate)} rows/s)\n`);
    process.stdout.write(`throughput, seed (bulk_args) vs one INSERT per row: ${(seedRate / singleRate).toFixed(1)}x\n`);
  } finally {
    await client.sql(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await client.sql(`DROP TABLE IF EXISTS "${schema}_migrate"."seeds"`).catch(() => undefined);
    await client.close();
    server?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchSeed();
