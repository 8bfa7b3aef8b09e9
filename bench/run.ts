/**
 * `npm run bench [-- <group>...]`: the benchmarks against the test server, or the CrateDB at CRATEDB_URL
 * when it is set. Each figure is a median of at least 5 runs after a warm-up (BENCH_RUNS for more), with
 * its spread and its ratio to a baseline measured in the same rounds: on a shared machine compare ratios,
 * not absolute numbers. Prints a table and writes bench/results/latest.json. Asserts nothing.
 */
import { formatTable, writeResults, type Row } from './lib/report.js';
import type { Group } from './lib/report.js';
import { serverLabel } from './lib/servers.js';

const GROUPS: Record<string, { describe: string; load: () => Promise<() => Promise<Group>> }> = {
  cli: { describe: 'CLI cold start (--help, --version, status) vs node -e "" and knex/umzug CLIs', load: async () => (await import('./groups/cli.js')).cliGroup },
  startup: { describe: 'migrate() with nothing pending vs one SELECT 1: time and requests', load: async () => (await import('./groups/startup.js')).startupGroup },
  scale: { describe: 'status and no-op up with 1,000 files vs 20: time and requests', load: async () => (await import('./groups/scale.js')).scaleGroup },
  statements: { describe: 'a migration of 1,000 statements vs the statements by hand; requests per statement', load: async () => (await import('./groups/statements.js')).statementsGroup },
  seed: { describe: 'seed throughput vs a hand-written bulk_args loop and one INSERT per row', load: async () => (await import('./groups/seed.js')).seedGroup },
  server: { describe: "the test server's overhead vs a bare node:http server (skipped with CRATEDB_URL)", load: async () => (await import('./groups/server.js')).serverGroup },
  rss: { describe: 'peak RSS of a 1,000,000-row seed vs 100,000 rows (minutes)', load: async () => (await import('./groups/rss.js')).rssGroup },
};

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const unknown = wanted.filter((w) => !(w in GROUPS));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench group ${unknown.join(', ')}; groups:\n${Object.entries(GROUPS).map(([n, g]) => `  ${n.padEnd(9)} ${g.describe}`).join('\n')}\n`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : Object.keys(GROUPS);
const rows: Row[] = [];
process.stdout.write(`bench against ${serverLabel()}: ${names.join(', ')}\n`);
for (const name of names) {
  const started = performance.now();
  process.stdout.write(`\n== ${name}: ${GROUPS[name]!.describe}\n`);
  const group = await (await GROUPS[name]!.load())();
  process.stdout.write(`${formatTable(group.rows)}\n(${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  rows.push(...group.rows);
}
const file = await writeResults(rows, serverLabel(), names);
process.stdout.write(`\n== all groups\n${formatTable(rows)}\n\nwritten to ${file}\n`);
