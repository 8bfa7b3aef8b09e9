/**
 * One migration of 1,000 statements through the public API, against the same statements sent one by one
 * through the client: time; the requests a statement adds, taken as the difference to a 1-statement migration
 * (target: the statement and one more, its progress write); and the fixed requests of a run, on their own.
 */
import { pino } from 'pino';
import { migrate } from '../../src/index.js';
import { projectConfig, requestsCounted, writeLongMigration } from '../lib/migrations.js';
import { Group } from '../lib/report.js';
import { benchProject } from '../lib/project.js';
import { requestCounter } from '../lib/servers.js';
import { figure, rounds, timed } from '../lib/stats.js';

const STATEMENTS = 1_000;

export async function statementsGroup(): Promise<Group> {
  const group = new Group('statements');
  const bench = await benchProject('stmts', 'in-process');
  const { target, schema, root, client } = bench;
  const base = bench.config;
  const counter = requestCounter(target);
  const requestsOf = requestsCounted(counter);
  const logger = pino({ level: 'silent' });
  const table = `"${schema}"."marks"`;
  const project = projectConfig(base, root, 'long');
  try {
    await client.sql(`CREATE TABLE ${table} (id TEXT PRIMARY KEY)`);
    let version = 1;
    const requests: { long: number[]; short: number[] } = { long: [], short: [] };
    const apply = async (statements: number, into: number[]) => {
      await writeLongMigration(project.migrationsDir, table, version++, statements);
      let ms = 0;
      into.push(await requestsOf(async () => {
        ms = await timed(() => migrate({ config: project, logger }));
      }));
      return ms;
    };
    const v = await rounds({
      'by hand': () => timed(async () => {
        for (let i = 0; i < STATEMENTS; i++) await client.sql(`INSERT INTO ${table} (id) VALUES ('h${version}_${i}')`);
        version++;
      }),
      long: () => apply(STATEMENTS, requests.long),
      short: () => apply(1, requests.short),
    });
    const hand = group.add(`${STATEMENTS} statements by hand (baseline)`, 'ms', figure(v['by hand']));
    group.add(`one migration of ${STATEMENTS} statements`, 'ms', figure(v.long), { baseline: hand });
    // The warm-up round's counts are dropped like its times.
    const long = requests.long.slice(1);
    const short = requests.short.slice(1);
    // What a statement adds: the difference of the two runs over the statements between them, so the fixed
    // cost of a run is not spread over the statements. The statement itself plus its progress write.
    const renewEvery = Math.floor(project.lock.leaseMs / 3 / 1000);
    group.add(`requests per statement: (R(${STATEMENTS}) - R(1)) / ${STATEMENTS - 1}, the statement included`, 'requests', figure(long.map((r, i) => (r - short[i]!) / (STATEMENTS - 1))), {
      target: { of: 'median', op: '<=', value: 2 },
      note: `R(${STATEMENTS}) = ${figure(long).median}, R(1) = ${figure(short).median}; the lock's lease renewals count in it too: one per ${renewEvery} s of run time, not per statement`,
    });
    group.add('requests of a 1-statement migration (fixed per run)', 'requests', figure(short), {
      note: 'history read before and under the lock, the lock, the check, the running and applied rows, the REFRESH of what it wrote',
    });
    return group;
  } finally {
    counter.close();
    await bench.close();
  }
}
