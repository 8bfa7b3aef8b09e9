/**
 * Scale: `status` and a no-op `up` with 1,000 applied migration files against the same with 20 (requests
 * must not grow with the files already applied).
 * Through the public API; requests counted from the test server's log, or this process's against CRATEDB_URL.
 */
import { pino } from 'pino';
import { migrate, status } from '../../src/index.js';
import { projectConfig, requestsCounted, writeInsertMigrations } from '../lib/migrations.js';
import { Group } from '../lib/report.js';
import { benchProject } from '../lib/project.js';
import { requestCounter } from '../lib/servers.js';
import { figure, rounds, timed } from '../lib/stats.js';

const FEW = 20;
const MANY = 1_000;

export async function scaleGroup(): Promise<Group> {
  const group = new Group('scale');
  const project = await benchProject('scale', 'in-process');
  const { target, schema, root, client } = project;
  const base = project.config;
  const counter = requestCounter(target);
  const logger = pino({ level: 'silent' });
  const table = `"${schema}"."marks"`;
  const few = projectConfig(base, root, 'few');
  const many = projectConfig(base, root, 'many');
  const requestsOf = requestsCounted(counter);
  try {
    await client.sql(`CREATE TABLE ${table} (id TEXT PRIMARY KEY)`);
    await writeInsertMigrations(few.migrationsDir, table, FEW);
    await writeInsertMigrations(many.migrationsDir, table, MANY, 10_000);
    await migrate({ config: few, logger });
    let applyMs = 0;
    const applyRequests = await requestsOf(async () => {
      applyMs = await timed(() => migrate({ config: many, logger }));
    });
    const applied = `setup: up of ${MANY} pending files took ${(applyMs / 1000).toFixed(1)} s, ${applyRequests} requests`;

    const requests: Record<string, number[]> = {};
    const counted = (key: string, work: () => Promise<unknown>) => async () => {
      let ms = 0;
      (requests[key] ??= []).push(await requestsOf(async () => {
        ms = await timed(work);
      }));
      return ms;
    };
    const v = await rounds({
      [`status, ${FEW} files`]: counted('status few', () => status({ config: few, logger })),
      [`status, ${MANY} files`]: counted('status many', () => status({ config: many, logger })),
      [`no-op up, ${FEW} files`]: counted('up few', () => migrate({ config: few, logger })),
      [`no-op up, ${MANY} files`]: counted('up many', () => migrate({ config: many, logger })),
    }) as Record<string, number[]>;
    for (const what of ['status', 'no-op up']) {
      const b = group.add(`${what}, ${FEW} files (baseline)`, 'ms', figure(v[`${what}, ${FEW} files`]!));
      group.add(`${what}, ${MANY} files`, 'ms', figure(v[`${what}, ${MANY} files`]!), { baseline: b, ...(what === 'no-op up' ? { note: applied } : {}) });
    }
    const measured = (key: string) => figure(requests[key]!.slice(1)); // the first is the warm-up round's
    for (const [what, few, many] of [['status', 'status few', 'status many'], ['no-op up', 'up few', 'up many']] as const) {
      const b = group.add(`requests of ${what}, ${FEW} files (baseline)`, 'requests', measured(few));
      group.add(`requests of ${what}, ${MANY} files`, 'requests', measured(many), { baseline: b, target: { of: 'ratio', op: '<=', value: 1 } });
    }
    return group;
  } finally {
    counter.close();
    await project.close();
  }
}
