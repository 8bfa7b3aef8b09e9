import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfig } from '../../src/config/types.js';

/** `count` SQL migration files in `dir`, numbered from `from`; each inserts one row into `table`. */
export async function writeInsertMigrations(dir: string, table: string, count: number, from = 1): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let v = from; v < from + count; v++) {
    const name = `${String(v).padStart(5, '0')}_mark_${v}.sql`;
    await writeFile(path.join(dir, name), `-- migrate:up\nINSERT INTO ${table} (id) VALUES ('m${v}');\n-- migrate:down\nDELETE FROM ${table} WHERE id = 'm${v}';\n`);
  }
}

/** One migration file of `statements` INSERTs (version `version`). */
export async function writeLongMigration(dir: string, table: string, version: number, statements: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const lines = ['-- migrate:up'];
  for (let i = 0; i < statements; i++) lines.push(`INSERT INTO ${table} (id) VALUES ('v${version}_${i}');`);
  lines.push('-- migrate:down', `DELETE FROM ${table} WHERE id LIKE 'v${version}_%';`, '');
  await writeFile(path.join(dir, `${String(version).padStart(5, '0')}_long_${version}.sql`), lines.join('\n'));
}

/** A project of its own under `root`: migrations folder `name`, history and lock tables in `<schema>_<name>`. */
export function projectConfig(base: ResolvedConfig, root: string, name: string): ResolvedConfig {
  return {
    ...base,
    migrationsDir: path.join(root, name),
    historyTable: { schema: `${base.schema}_${name}`, table: 'migrations' },
    lockTable: { schema: `${base.schema}_${name}`, table: 'lock' },
  };
}

/** The requests `work` sends, by the counter. */
export function requestsCounted(counter: { count(): number }): (work: () => Promise<unknown>) => Promise<number> {
  return async (work) => {
    const before = counter.count();
    await work();
    return counter.count() - before;
  };
}
