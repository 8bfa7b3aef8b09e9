/**
 * One benchmark's world: a target (see servers.ts), a fresh schema, a temp folder with a crate.config.yaml
 * that puts the tracking tables in `<schema>_migrate` (for CLI processes, run with CRATE_ENV=bench), a
 * resolved config and an open client. `close()` drops every table of the schema and of `<schema>_*`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '../../src/client/client.js';
import { quoteIdent } from '../../src/client/identifiers.js';
import type { CrateClient } from '../../src/client/types.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { benchSchema, childTarget, configFor, externalUrl, inProcessTarget, type Target } from './servers.js';

export interface BenchProject {
  target: Target;
  schema: string;
  root: string;
  config: ResolvedConfig;
  client: CrateClient;
  /** Environment and flags a CLI process needs to reach the same target with the same config. */
  cliEnv: NodeJS.ProcessEnv;
  urlFlags: string[];
  close(): Promise<void>;
}

export async function benchProject(group: string, where: 'child' | 'in-process'): Promise<BenchProject> {
  const target = where === 'child' ? await childTarget() : await inProcessTarget();
  const schema = benchSchema(group);
  const root = await mkdtemp(path.join(tmpdir(), `cm-bench-${group}-`));
  await writeFile(path.join(root, 'crate.config.yaml'), [
    'environments:', '  bench:', `    schema: ${schema}`, `    seeds_table: ${schema}_migrate.seeds`,
    `    history_table: ${schema}_migrate.migrations`, `    lock_table: ${schema}_migrate.lock`, '',
  ].join('\n'));
  const config = await configFor(target, schema, root);
  const client = createClient(config);
  return {
    target, schema, root, config, client,
    cliEnv: { ...process.env, CRATE_ENV: 'bench' },
    urlFlags: externalUrl() ? [] : ['--url', target.url],
    async close() {
      try {
        await dropSchemaTables(client, schema);
      } finally {
        await client.close();
        await target.close();
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}

async function dropSchemaTables(client: CrateClient, schema: string): Promise<void> {
  const found = await client.sql(
    'SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ? OR table_schema LIKE ?',
    [schema, `${schema}_%`],
  );
  // `_` is a LIKE wildcard: keep the exact schema and names that really start with `${schema}_`.
  for (const [s, t] of found.rows.filter(([s]) => s === schema || String(s).startsWith(`${schema}_`))) {
    await client.sql(`DROP TABLE IF EXISTS ${quoteIdent(String(s))}.${quoteIdent(String(t))}`).catch(() => undefined);
  }
}
