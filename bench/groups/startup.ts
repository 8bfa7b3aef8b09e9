/**
 * Start-up with nothing pending, as an application calls it on every boot: `migrate()` through the public
 * API (its own client and connection, as an app's start-up has), against one `SELECT 1` over a new client
 * from the same process; and `migrate({ client })` over an open client against `SELECT 1` on it.
 * Requests are counted from the test server's log (or this process's requests against CRATEDB_URL).
 */
import { pino } from 'pino';
import { createClient, migrate } from '../../src/index.js';
import { writeInsertMigrations } from '../lib/migrations.js';
import { Group } from '../lib/report.js';
import { benchProject } from '../lib/project.js';
import { requestCounter } from '../lib/servers.js';
import { DEFAULT_RUNS, figure, rounds, timed } from '../lib/stats.js';

const FILES = 20;
const RUNS = Math.max(DEFAULT_RUNS, 20);

export async function startupGroup(): Promise<Group> {
  const group = new Group('startup');
  const project = await benchProject('start', 'in-process');
  const { target, schema, client } = project;
  const config = project.config;
  const counter = requestCounter(target);
  const logger = pino({ level: 'silent' });
  const table = `"${schema}"."marks"`;
  try {
    await client.sql(`CREATE TABLE ${table} (id TEXT PRIMARY KEY)`);
    await writeInsertMigrations(config.migrationsDir, table, FILES);
    await migrate({ config, logger });
    // Requests per call, the warm-up round first (dropped below).
    const requests: Record<string, number[]> = { own: [], open: [] };
    const counted = (key: string, work: () => Promise<unknown>) => async () => {
      const before = counter.count();
      const ms = await timed(work);
      requests[key]!.push(counter.count() - before);
      return ms;
    };
    const v = await rounds({
      'SELECT 1, new client': () => timed(async () => {
        const fresh = createClient(config);
        await fresh.sql('SELECT 1');
        await fresh.close();
      }),
      'migrate()': counted('own', () => migrate({ config, logger })),
      'SELECT 1, open client': () => timed(() => client.sql('SELECT 1')),
      'migrate({ client })': counted('open', () => migrate({ config, logger, client })),
    }, { runs: RUNS });
    const fresh = group.add('SELECT 1, new client (baseline)', 'ms', figure(v['SELECT 1, new client']!));
    group.add(`migrate(), ${FILES} applied, nothing pending`, 'ms', figure(v['migrate()']!), { baseline: fresh, target: { of: 'ratio', op: '<=', value: 3 } });
    const open = group.add('SELECT 1, open client (baseline)', 'ms', figure(v['SELECT 1, open client']!));
    group.add('migrate({ client }), nothing pending', 'ms', figure(v['migrate({ client })']!), { baseline: open, target: { of: 'ratio', op: '<=', value: 3 } });
    group.add('requests of migrate(), nothing pending', 'requests', figure(requests.own!.slice(1)), { target: { of: 'median', op: '<=', value: 2 } });
    return group;
  } finally {
    counter.close();
    await project.close();
  }
}
