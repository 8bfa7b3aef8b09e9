import { promises as nodeFs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { discoverMigrations, type SourceFs } from './source.js';

export interface CreateMigrationFileOptions {
  /** The migrations directory (created if missing). */
  dir: string;
  /** Words of the name: `create books` and `create_books` both give `..._create_books`. */
  name: string;
  /** @default 'sql' */
  kind?: 'sql' | 'ts';
  /** For messages. @default process.cwd() */
  rootDir?: string;
  /** @default node:fs/promises */
  fs?: SourceFs & {
    mkdir(dir: string, options: { recursive: true }): Promise<unknown>;
    writeFile(file: string, data: string, options: { flag: 'wx' }): Promise<void>;
  };
}

/**
 * Writes a new migration from a template with an up and a down part. Its version is the highest existing
 * version + 1, zero-padded to the width of the existing ones (3 digits in an empty directory):
 * `004_add_isbn.sql` after `003_...`. Never overwrites a file. Returns the new file's path.
 */
export async function createMigrationFile(options: CreateMigrationFileOptions): Promise<string> {
  const fs = options.fs ?? nodeFs;
  const slug = options.name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') throw new UsageError(`migration name '${options.name}' has no letters or digits; try e.g. 'create books'`);
  const kind = options.kind ?? 'sql';

  const existing = await discoverMigrations(options.dir, { fs, ...(options.rootDir ? { rootDir: options.rootDir } : {}) });
  const last = existing.at(-1);
  const width = last ? /^\d+/.exec(last.name)![0].length : 3;
  const version = String((last?.version ?? 0) + 1).padStart(width, '0');
  const file = path.join(options.dir, `${version}_${slug}.${kind}`);

  await fs.mkdir(options.dir, { recursive: true });
  await fs.writeFile(file, kind === 'sql' ? SQL_TEMPLATE : TS_TEMPLATE, { flag: 'wx' });
  return file;
}

const SQL_TEMPLATE = `-- Statements run one by one, in order; CrateDB has no transactions, so a statement that fails leaves the
-- ones before it applied. Write the down section so that it also works on a half-applied up.

-- migrate:up


-- migrate:down

`;

const TS_TEMPLATE = `import type { MigrationContext } from 'cratedb-migrate';

// Each ctx.sql() runs on its own (CrateDB has no transactions): prefer steps that can run again
// (IF NOT EXISTS, upserts). ctx.bulk() sends many rows in one request; ctx.refresh() makes them visible.
export async function up(ctx: MigrationContext): Promise<void> {
  // await ctx.sql('ALTER TABLE books ADD COLUMN isbn TEXT');
}

export async function down(ctx: MigrationContext): Promise<void> {
  // await ctx.sql('ALTER TABLE books DROP COLUMN isbn');
}
`;
