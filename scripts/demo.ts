/**
 * The README's main job: migrate up, seed, and the CrateDB tutorial's queries, through the built CLI, exactly
 * as a user runs them. Targets CRATEDB_URL (default http://localhost:4200); when nothing answers there, it
 * starts the bundled CrateDB test server on a free loopback port and says so plainly.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, defaultConfig } from '../src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli', 'main.js');

/** Whether a CrateDB answers at `url`: the client's own ping, with short timeouts for a quick answer. */
async function answers(url: string): Promise<boolean> {
  const client = createClient({ ...defaultConfig([url], root), connectTimeoutMs: 2000, requestTimeoutMs: 2000 });
  try {
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

/** Runs the built CLI. Asynchronously: the test server may live in this process and must keep answering. */
function run(args: string[], url: string): Promise<void> {
  process.stdout.write(`\n$ cratedb-migrate ${args.join(' ')}\n`);
  const child = spawn(process.execPath, [cli, ...args, '--url', url, '--log-level', 'warn'], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cratedb-migrate ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * The tutorial's count of books by author. Since migrations/002 gave `author` a fulltext index, CrateDB 6.x
 * answers GROUP BY author with the analyzed tokens (adam 2, dougla 2, monti 1, python 1), 5.10 with the
 * names; so the names are read (SELECT gives the stored values on both) and counted here.
 */
async function countByAuthor(client: ReturnType<typeof createClient>): Promise<void> {
  process.stdout.write('\n> SELECT author FROM "doc"."books"  -- counted by author here: on CrateDB 6.x GROUP BY a fulltext column groups its tokens\n');
  const counts = new Map<string, number>();
  for (const [author] of (await client.sql('SELECT author FROM "doc"."books"')).rows) counts.set(String(author), (counts.get(String(author)) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [author, books] of sorted) process.stdout.write(`  ${JSON.stringify({ author, books })}\n`);
}

async function main(): Promise<void> {
  const wanted = process.env.CRATEDB_URL ?? 'http://localhost:4200';
  let url = wanted.split(',')[0]!.trim();
  let stop: (() => Promise<void>) | undefined;
  if (await answers(url)) {
    process.stdout.write(`Using the CrateDB at ${url}.\n`);
  } else {
    // Imported only here: the test server needs the devDependencies (PGlite), a real CrateDB does not.
    const { startTestServer } = await import('../test/server/index.js');
    const server = await startTestServer({ port: 0 });
    url = server.url;
    stop = () => server.close();
    process.stdout.write(
      `Nothing answered at ${wanted}: running against the bundled CrateDB TEST SERVER at ${url} ` +
        `(PGlite underneath, for trying things out; start a real CrateDB with 'docker compose up -d').\n`,
    );
  }
  try {
    await run(['up'], url);
    await run(['seed'], url);
    await run(['status'], url);
    const client = createClient(defaultConfig([url], root));
    try {
      const query = async (stmt: string, args: unknown[] = []) => {
        process.stdout.write(`\n> ${stmt}${args.length ? `  -- args ${JSON.stringify(args)}` : ''}\n`);
        const { rows } = await client.sql(stmt, args);
        for (const row of rows) process.stdout.write(`  ${JSON.stringify(row)}\n`);
      };
      await query('SELECT title FROM "doc"."books" WHERE match(title, ?)', ['monty']);
      await countByAuthor(client);
      await query('SELECT id, title FROM "doc"."books" WHERE match(author, ?) ORDER BY id', ['adams']);
      await query('SELECT id, title, categories FROM "doc"."books" ORDER BY id');
    } finally {
      await client.close();
    }
  } finally {
    await stop?.();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
