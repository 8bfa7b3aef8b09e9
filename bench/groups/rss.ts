/**
 * Peak RSS of `cratedb-migrate seed` (a whole process) over a 1,000,000-row NDJSON file against the same
 * over 100,000 rows: memory must stay flat in the row count, and under 150 MB. Against CRATEDB_URL, else
 * the test server in a child process (its memory is its own). Its own group: it takes minutes.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { EVENTS_DDL, writeEventsSeed } from '../lib/ndjson.js';
import { builtCli, run } from '../lib/processes.js';
import { Group } from '../lib/report.js';
import { benchProject } from '../lib/project.js';
import { REPO } from '../lib/servers.js';
import { figure, rounds } from '../lib/stats.js';

const SMALL = 100_000;
const LARGE = Number(process.env.BENCH_RSS_ROWS) || 1_000_000;
const MB = 2 ** 20;

export async function rssGroup(): Promise<Group> {
  const group = new Group('rss');
  const project = await benchProject('rss', 'child');
  const { schema, root, client } = project;
  const table = `"${schema}"."events"`;
  try {
    for (const rows of [SMALL, LARGE]) {
      await mkdir(path.join(root, `seeds-${rows}`), { recursive: true });
      await writeEventsSeed(path.join(root, `seeds-${rows}`, 'events.ndjson'), 'events', rows);
    }
    const cli = await builtCli();
    const seedRss = (rows: number) => async () => {
      await client.sql(`DROP TABLE IF EXISTS ${table}`);
      await client.sql(`CREATE TABLE ${table} ${EVENTS_DDL}`);
      const r = await run(process.execPath, [
        '--import', path.join(REPO, 'bench', 'lib', 'max-rss.mjs'), cli, 'seed', '--force', '--log-level', 'warn',
        '--seeds-dir', `seeds-${rows}`, ...project.urlFlags,
      ], { cwd: root, env: project.cliEnv });
      const rss = /max-rss (\d+)/.exec(r.stderr);
      if (r.code !== 0 || !rss) throw new Error(`seed of ${rows} rows exited ${r.code}:\n${r.stderr.slice(0, 2000)}`);
      return Number(rss[1]) / MB;
    };
    const nodeRss = async () => {
      const r = await run(process.execPath, ['--import', path.join(REPO, 'bench', 'lib', 'max-rss.mjs'), '-e', '']);
      return Number(/max-rss (\d+)/.exec(r.stderr)![1]) / MB;
    };
    // RSS hardly varies between runs; the warm-up is skipped to keep the 1M-row runs within minutes.
    const v = await rounds({ node: nodeRss, small: seedRss(SMALL), large: seedRss(LARGE) }, { warmUp: 0 });
    group.add('peak RSS, node -e ""', 'MB', figure(v.node));
    const small = group.add(`peak RSS, seed of ${SMALL.toLocaleString('en-US')} rows (baseline)`, 'MB', figure(v.small));
    group.add(`peak RSS, seed of ${LARGE.toLocaleString('en-US')} rows`, 'MB', figure(v.large), { baseline: small, target: { of: 'median', op: '<=', value: 150 } });
    return group;
  } finally {
    await project.close();
  }
}
