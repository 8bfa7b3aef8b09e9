/**
 * CLI cold start as whole processes, against `node -e ""` in the same rounds: `--version`, `--help`,
 * `status` (against the target), and knex's and umzug's CLIs printing their help (installed for the bench
 * only, into bench/.tools). `status` is also set against `--help` plus the requests it sends, each priced
 * as one `SELECT 1` over a new connection, and against the floor of any implementation: processes that
 * send the same requests and nothing else, with undici and with node's own `http`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient, status } from '../../src/index.js';
import { pino } from 'pino';
import { Group } from '../lib/report.js';
import { builtCli, processMs, run, TOOLS } from '../lib/processes.js';
import { benchProject } from '../lib/project.js';
import { requestCounter, REPO } from '../lib/servers.js';
import { DEFAULT_RUNS, figure, rounds, timed } from '../lib/stats.js';

const KNEX = 'knex@3.3.0';
/** What `status` loads that `--help` does not: each package's import alone, in a fresh process (undici: its
 * Pool only, as src/client/transport.ts loads it; valibot and yaml because the project has a config file).
 * pino is not among them: status writes no log line, and the CLI's logger loads pino at the first one. */
const STATUS_IMPORTS = ['valibot', 'undici/lib/dispatcher/pool.js', 'yaml'];
const ALL_IMPORTS = `await Promise.all(${JSON.stringify(STATUS_IMPORTS)}.map((p) => import(p)))`;
/** Processes that send `status`'s number of `SELECT 1` and nothing else (bench/lib/select-process.mjs). */
const SELECT_PROCESS = path.join(REPO, 'bench', 'lib', 'select-process.mjs');
/** The wasm tier-up budget the CLI sets for its own process (src/cli/main.ts), given to the undici floor
 * too: without it that process would wait for V8's recompile of llhttp, which the CLI never does. */
const CLI_WASM_BUDGET = '--wasm-tiering-budget=180000000';
/** More runs than elsewhere: a process start-up varies a lot on a shared machine, and each is short. */
const RUNS = Math.max(DEFAULT_RUNS, 7);

/** knex's CLI, installed into bench/.tools on first use; undefined (and said why) when it cannot be. */
async function knexCli(): Promise<string | undefined> {
  const bin = path.join(TOOLS, 'node_modules', 'knex', 'bin', 'cli.js');
  if (!existsSync(bin)) {
    process.stdout.write(`installing ${KNEX} into bench/.tools for the comparison\n`);
    const npm = await run('npm', ['install', '--prefix', TOOLS, '--no-save', '--no-audit', '--no-fund', KNEX]);
    if (npm.code !== 0 || !existsSync(bin)) {
      process.stdout.write(`could not install ${KNEX} (${npm.stderr.trim().split('\n').at(-1)}): knex row left out\n`);
      return undefined;
    }
  }
  return bin;
}

/** umzug's own CLI (`runAsCLI`) over no migrations, as a project would wire it. */
async function umzugCli(): Promise<string> {
  const file = path.join(TOOLS, 'umzug-cli.mjs');
  await mkdir(TOOLS, { recursive: true });
  await writeFile(file, `import { Umzug } from ${JSON.stringify(path.join(REPO, 'node_modules', 'umzug', 'lib', 'index.js'))};\n` +
    'await new Umzug({ migrations: [], logger: undefined }).runAsCLI();\n');
  return file;
}

export async function cliGroup(): Promise<Group> {
  const group = new Group('cli');
  const project = await benchProject('cli', 'in-process');
  const { target, schema, root, config } = project;
  try {
    await mkdir(config.migrationsDir, { recursive: true });
    for (let i = 1; i <= 3; i++) {
      await writeFile(path.join(config.migrationsDir, `00${i}_t${i}.sql`), `-- migrate:up\nCREATE TABLE "${schema}"."t${i}" (id TEXT);\n-- migrate:down\nDROP TABLE "${schema}"."t${i}";\n`);
    }
    const cli = await builtCli();
    const knex = await knexCli();
    const umzug = await umzugCli();
    const node = (args: string[]) => () => processMs(process.execPath, args, { cwd: root, env: project.cliEnv });
    const statusArgs = [cli, 'status', '--log-level', 'warn', ...project.urlFlags];

    // Requests of one `status`: the test server's log, or this process's own requests against CRATEDB_URL.
    const counter = requestCounter(target);
    const before = counter.count();
    if (target.server) await node(statusArgs)();
    else await status({ config, logger: pino({ level: 'silent' }) });
    const statusRequests = counter.count() - before;
    counter.close();

    const cases: Record<string, () => Promise<number>> = {
      'node -e ""': node(['-e', '']),
      'cratedb-migrate --version': node([cli, '--version']),
      'cratedb-migrate --help': node([cli, '--help']),
      ...(knex ? { 'knex --help': node([knex, '--help']) } : {}),
      'umzug runAsCLI --help': node([umzug, '--help']),
      'cratedb-migrate status': node(statusArgs),
      ...Object.fromEntries(STATUS_IMPORTS.map((pkg) => [`import ${pkg}`, () =>
        processMs(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pkg)})`], { cwd: REPO })])),
      'floor http': node([SELECT_PROCESS, 'http', target.url, String(statusRequests)]),
      'floor undici': node([CLI_WASM_BUDGET, SELECT_PROCESS, 'undici', target.url, String(statusRequests)]),
      'import all': () => processMs(process.execPath, ['--input-type=module', '-e', ALL_IMPORTS], { cwd: REPO }),
      'SELECT 1, new connection': () => timed(async () => {
        const client = createClient(config);
        await client.sql('SELECT 1');
        await client.close();
      }),
    };
    const v = await rounds(cases, { runs: RUNS });
    const base = group.add('node -e "" (baseline)', 'ms', figure(v['node -e ""']!));
    group.add('cratedb-migrate --version', 'ms', figure(v['cratedb-migrate --version']!), { baseline: base, target: { of: 'ratio', op: '<=', value: 1.5 } });
    const help = group.add('cratedb-migrate --help', 'ms', figure(v['cratedb-migrate --help']!), { baseline: base, target: { of: 'ratio', op: '<=', value: 1.5 } });
    if (knex) group.add('knex --help', 'ms', figure(v['knex --help']!), { baseline: base });
    group.add('umzug runAsCLI --help', 'ms', figure(v['umzug runAsCLI --help']!), { baseline: base });
    group.add('cratedb-migrate status', 'ms', figure(v['cratedb-migrate status']!), { baseline: base, note: `${statusRequests} requests` });
    for (const pkg of STATUS_IMPORTS) group.add(`node + import('${pkg}')`, 'ms', figure(v[`import ${pkg}`]!), { baseline: base, note: 'loaded by status, not by --help' });
    const select = figure(v['SELECT 1, new connection']!);
    group.add('SELECT 1, new connection (in process)', 'ms', select);
    const allowance = v['cratedb-migrate --help']!.map((h) => h + statusRequests * select.median);
    group.add(`status / (--help + ${statusRequests} x SELECT 1)`, 'x', figure(v['cratedb-migrate status']!.map((s, i) => s / allowance[i]!)), {
      target: { of: 'median', op: '<=', value: 1 }, note: `--help ${Math.round(help.median)} ms + ${statusRequests} x ${select.median.toFixed(1)} ms`,
    });
    // The floor of any status: a process that only sends the same requests, with node's own HTTP client (no
    // package, no config, no module of ours) and with undici's Pool. At or above 1 against the allowance,
    // no implementation in node can meet the target as it is priced here.
    const floorHttp = group.add(`node + node:http, ${statusRequests} x SELECT 1 (nothing else)`, 'ms', figure(v['floor http']!), { baseline: base, note: 'no package, no config' });
    const floorUndici = group.add(`node + undici Pool, ${statusRequests} x SELECT 1 (nothing else)`, 'ms', figure(v['floor undici']!), { baseline: base, note: 'the client status uses' });
    for (const [client, key, floor] of [['node:http', 'floor http', floorHttp], ['undici', 'floor undici', floorUndici]] as const) {
      group.add(`that ${client} process / (--help + ${statusRequests} x SELECT 1)`, 'x', figure(v[key]!.map((s, i) => s / allowance[i]!)), {
        note: `${Math.round(floor.median)} ms against the allowance`,
      });
    }
    group.add(`status / that undici process`, 'x', figure(v['cratedb-migrate status']!.map((s, i) => s / v['floor undici']![i]!)), {
      note: 'what config, discovery and output add',
    });
    // What the packages alone cost: a process that only imports them, against status. The rest is our code
    // (config, discovery, client, output) and the requests over a new connection.
    const packages = group.add(`node + import(${STATUS_IMPORTS.join(', ')})`, 'ms', figure(v['import all']!), { baseline: base, note: 'the floor of any status' });
    group.add(`status / (those imports + ${statusRequests} x SELECT 1)`, 'x', figure(v['cratedb-migrate status']!.map((s, i) => s / (v['import all']![i]! + statusRequests * select.median))), {
      note: `${Math.round(packages.median)} ms + ${statusRequests} x ${select.median.toFixed(1)} ms`,
    });
    return group;
  } finally {
    await project.close();
  }
}
