/**
 * Seed throughput against the limit: a minimal hand-written `bulk_args` upsert loop on undici over the same
 * NDJSON file, table and server, at several batch sizes and requests in flight; the best of them is the
 * baseline of the in-process rows. The seeder runs through the public API (`seed()`) against that, and as a
 * whole `cratedb-migrate seed` process (spawn to exit) against the same hand loop as a whole node process
 * (bench/lib/hand-loop-process.mjs), so that both sides of that row pay node's start-up and their imports.
 * One INSERT request per row is measured too (the tutorial's ORM path).
 * Against CRATEDB_URL, else the test server in a child process (its CPU is not this event loop's).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { seed } from '../../src/index.js';
import { Group } from '../lib/report.js';
import { handLoop, singleInserts } from '../lib/hand-loop.js';
import { EVENTS_DDL, writeEventsSeed } from '../lib/ndjson.js';
import { builtCli, processMs, run } from '../lib/processes.js';
import { benchProject } from '../lib/project.js';
import { externalUrl, REPO } from '../lib/servers.js';
import { figure, rounds, timed } from '../lib/stats.js';

/** Rows per seed run: 100,000, the setting, against a real CrateDB and the test server alike (whose
 * bulk path runs at CrateDB's rate here, ~50,000 rows/s, since its REFRESH no longer deletes every row). */
const ROWS = Number(process.env.BENCH_SEED_ROWS) || 100_000;
const SINGLE_ROWS = Number(process.env.BENCH_SINGLE_ROWS) || (externalUrl() ? 1_000 : 300);
/** Batch size x requests in flight of the hand-written loop. */
const HAND_LOOPS: ReadonlyArray<readonly [number, number]> = [[1_000, 1], [2_000, 2], [5_000, 2], [5_000, 4]];
/** The hand loop as a whole process: the configurations that were the best in-process ones in past runs. */
const HAND_PROCESSES: ReadonlyArray<readonly [number, number]> = [[2_000, 2], [5_000, 2]];

export async function seedGroup(): Promise<Group> {
  const group = new Group('seed');
  const project = await benchProject('seed', 'child');
  const { target, schema, root, config, client } = project;
  const table = `"${schema}"."events"`;
  const file = path.join(config.seedsDir, 'events.ndjson');
  const recreate = async () => {
    await client.sql(`DROP TABLE IF EXISTS ${table}`);
    await client.sql(`CREATE TABLE ${table} ${EVENTS_DDL}`);
  };
  try {
    await mkdir(config.seedsDir, { recursive: true });
    await writeEventsSeed(file, 'events', ROWS);
    const cliArgs = [await builtCli(), 'seed', '--force', '--log-level', 'warn', ...project.urlFlags];
    const logger = pino({ level: 'silent' });
    const rate = (ms: number, rows = ROWS) => rows / (ms / 1000);
    const checked = (what: string, written: number) => {
      if (written !== ROWS) throw new Error(`${what} wrote ${written} of ${ROWS} rows`);
    };

    const cases: Record<string, () => Promise<number>> = {};
    for (const [size, inFlight] of HAND_LOOPS) {
      cases[`hand loop ${size} x ${inFlight}`] = async () => {
        await recreate();
        let written = 0;
        const ms = await timed(async () => {
          written = (await handLoop(target.url, file, table, size, inFlight)).written;
        });
        checked('hand loop', written);
        return rate(ms);
      };
    }
    const handProcess = path.join(REPO, 'bench', 'lib', 'hand-loop-process.mjs');
    for (const [size, inFlight] of HAND_PROCESSES) {
      cases[`hand loop process ${size} x ${inFlight}`] = async () => {
        await recreate();
        const r = await run(process.execPath, [handProcess, target.url, file, table, String(size), String(inFlight)], { cwd: root });
        if (r.code !== 0) throw new Error(`hand loop process exited ${r.code}:\n${r.stderr.slice(0, 2000)}`);
        checked('hand loop process', (JSON.parse(r.stdout) as { written: number }).written);
        return rate(r.ms);
      };
    }
    cases['seed() API, defaults'] = async () => {
      await recreate();
      let written = 0;
      const ms = await timed(async () => {
        written = (await seed({ config, logger, force: true })).seeds[0]!.written;
      });
      checked('seed()', written);
      return rate(ms);
    };
    cases['cratedb-migrate seed (process)'] = async () => {
      await recreate();
      return rate(await processMs(process.execPath, cliArgs, { cwd: root, env: project.cliEnv }));
    };
    // The seeder's fixed cost (discovery, checksum, column types, tracking table, REFRESH), which a
    // small seed does not amortize: a 1-row seed through the same API.
    const oneRowDir = path.join(root, 'one-row');
    await mkdir(oneRowDir, { recursive: true });
    await writeEventsSeed(path.join(oneRowDir, 'events.ndjson'), 'events', 1);
    cases['seed() API, 1 row'] = () => timed(() => seed({ config: { ...config, seedsDir: oneRowDir }, logger, force: true }));
    let offset = 0;
    cases['one INSERT per row'] = async () => {
      await recreate();
      const ms = await timed(() => singleInserts(target.url, table, SINGLE_ROWS, offset));
      offset += SINGLE_ROWS;
      return rate(ms, SINGLE_ROWS);
    };

    const values = await rounds(cases);
    const hand = HAND_LOOPS.map(([size, inFlight]) => `hand loop ${size} x ${inFlight}`);
    const best = hand.reduce((a, b) => (figure(values[b]!).median > figure(values[a]!).median ? b : a));
    const bestRow = group.add(`${best} (best: baseline)`, 'rows/s', figure(values[best]!), { note: `${ROWS} rows` });
    for (const name of hand) if (name !== best) group.add(name, 'rows/s', figure(values[name]!), { baseline: bestRow });
    const api = group.add('seed() API, defaults (vs in-process hand loop)', 'rows/s', figure(values['seed() API, defaults']!), {
      baseline: bestRow, target: { of: 'ratio', op: '>=', value: 0.9 },
    });
    const processes = HAND_PROCESSES.map(([size, inFlight]) => `hand loop process ${size} x ${inFlight}`);
    const bestProcess = processes.reduce((a, b) => (figure(values[b]!).median > figure(values[a]!).median ? b : a));
    const processRow = group.add(`${bestProcess} (best: baseline, whole node process)`, 'rows/s', figure(values[bestProcess]!), {
      note: 'spawn to exit',
    });
    for (const name of processes) if (name !== bestProcess) group.add(name, 'rows/s', figure(values[name]!), { baseline: processRow });
    group.add('cratedb-migrate seed process (vs hand loop process)', 'rows/s', figure(values['cratedb-migrate seed (process)']!), {
      baseline: processRow, target: { of: 'ratio', op: '>=', value: 0.9 }, note: 'spawn to exit, both',
    });
    group.add('seed() API, 1 row (fixed cost)', 'ms', figure(values['seed() API, 1 row']!));
    const single = group.add('one INSERT per row', 'rows/s', figure(values['one INSERT per row']!), { baseline: bestRow, note: `${SINGLE_ROWS} rows` });
    // The seeder against the per-row path: the figure the second target is about.
    group.add('seed() API vs one INSERT per row', 'x', figure(values['seed() API, defaults']!.map((v, i) => v / values['one INSERT per row']![i]!)), {
      target: { of: 'median', op: '>=', value: 50 }, note: `${Math.round(api.median / single.median)}x of the medians`,
    });
    return group;
  } finally {
    await project.close();
  }
}
