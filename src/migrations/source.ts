import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FileFormatError } from '../errors.js';

/**
 * The part of `node:fs/promises` the migration source needs. Passing an object of this shape (an
 * in-memory map in unit tests) keeps discovery free of the disk, as Kysely's `FileMigrationProvider`.
 */
export interface SourceFs {
  /** File names (not paths) in `dir`; a missing directory rejects with `code: 'ENOENT'`. */
  readdir(dir: string): Promise<string[]>;
  readFile(file: string): Promise<Uint8Array>;
}

/** How a migration is written: split SQL statements, or a module exporting `up(ctx)`/`down(ctx)`. */
export type MigrationKind = 'sql' | 'code';

/** One migration file as found on disk, before its content is interpreted. */
export interface MigrationFile {
  /** The numeric prefix: `20261125120000` for `20261125120000_add_index.sql`. */
  version: number;
  /** File name without extension (`001_create_books`): the key in the history table. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the project's root dir, for messages (`migrations/001_create_books.sql`). */
  displayPath: string;
  kind: MigrationKind;
  /** SHA-256 hex of the file's bytes. */
  checksum: string;
  /** The bytes the checksum was computed on: a SQL file is parsed from these, not read again. */
  content: Uint8Array;
}

/**
 * The disk, as discovery reads it: synchronously. `fs.promises.readFile` costs an open, a stat, reads and
 * a close on the libuv thread pool per file, about 5x a `readFileSync` of a small migration file, and at
 * every application start-up that was most of the time of a no-op `migrate()`. Migration files are small
 * and read once per command; the history request is sent before them (see the runner's `read`).
 */
const diskFs: SourceFs = {
  readdir: async (dir) => readdirSync(dir),
  readFile: async (file) => readFileSync(file),
};

/** File extensions that mark a migration; anything else in the directory (README.md...) is ignored. */
const MIGRATION_EXTENSIONS: Readonly<Record<string, MigrationKind>> = {
  '.sql': 'sql',
  '.ts': 'code',
  '.mts': 'code',
  '.js': 'code',
  '.mjs': 'code',
};

const FILE_NAME = /^(\d+)_(.+)$/;
/** A repeatable migration: `R__<name>.sql`, re-applied whole when its checksum changes (docs/migrations.md). */
const REPEATABLE_NAME = /^R__(.+)$/;
const EXPECTED_FORM = '<version>_<name>.sql|.ts|.mts|.js|.mjs, where <version> is digits (e.g. 001_create_books.sql), or R__<name>.sql for a repeatable migration';

/** SHA-256 hex of the bytes, the checksum stored in the history table. */
export function checksumOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Lists the migrations in `dir`, ordered by version NUMERICALLY (`2_x` before `10_x`).
 *
 * Throws `FileFormatError` for two files with the same version (naming both) and for a file with a
 * migration extension but no version prefix. Dot files (editor swap and lock files) and other
 * extensions are ignored; so are TypeScript declaration files. A missing directory has no migrations.
 */
export async function discoverMigrations(dir: string, options: { fs?: SourceFs; rootDir?: string } = {}): Promise<MigrationFile[]> {
  return (await discoverSources(dir, options)).versioned;
}

/**
 * The versioned migrations (as `discoverMigrations`) and the repeatable ones (`R__<name>.sql`, by name;
 * `version` 0: they have none) in one read of `dir`. A repeatable file with another extension throws
 * `FileFormatError`: only SQL files can be re-applied whole safely.
 */
export async function discoverSources(
  dir: string,
  options: { fs?: SourceFs; rootDir?: string } = {},
): Promise<{ versioned: MigrationFile[]; repeatable: MigrationFile[] }> {
  const fs = options.fs ?? diskFs;
  const rootDir = options.rootDir ?? process.cwd();
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { versioned: [], repeatable: [] };
    throw new FileFormatError(`cannot read the migrations directory: ${(err as Error).message}`, dir, undefined, {
      cause: err,
    });
  }

  const found: Array<Omit<MigrationFile, 'checksum' | 'content'>> = [];
  const repeatable: Array<Omit<MigrationFile, 'checksum' | 'content'>> = [];
  for (const fileName of names) {
    const parsed = parseFileName(fileName);
    if (parsed === undefined) continue;
    const filePath = path.join(dir, fileName);
    const displayPath = displayPathOf(filePath, rootDir);
    if (parsed === 'repeatable-code') {
      throw new FileFormatError(`${displayPath}: a repeatable migration (R__<name>) must be a .sql file; write a versioned migration for code`, displayPath);
    }
    if (parsed === 'unversioned') {
      throw new FileFormatError(`${displayPath}: a migration file needs a version prefix: ${EXPECTED_FORM}`, displayPath);
    }
    if ('repeatable' in parsed) {
      repeatable.push({ version: 0, name: parsed.name, kind: 'sql', path: filePath, displayPath });
      continue;
    }
    if (!Number.isSafeInteger(parsed.version)) {
      throw new FileFormatError(`${displayPath}: version ${parsed.versionText} is too large (at most 15 digits)`, displayPath);
    }
    found.push({ ...parsed, path: filePath, displayPath });
  }

  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    const [prev, cur] = [found[i - 1]!, found[i]!];
    if (prev.version === cur.version) {
      throw new FileFormatError(
        `two migrations have version ${cur.version}: ${prev.displayPath} and ${cur.displayPath}; give one of them a new number`,
        cur.displayPath,
      );
    }
  }

  repeatable.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const read = (files: typeof found) =>
    Promise.all(
      files.map(async (file) => {
        const content = await fs.readFile(file.path);
        return { ...file, checksum: checksumOf(content), content };
      }),
    );
  const [versioned, repeatables] = await Promise.all([read(found), read(repeatable)]);
  return { versioned, repeatable: repeatables };
}

/** Whether a history row's name is a repeatable migration's (`R__...`; versioned names start with digits). */
export function isRepeatableName(name: string): boolean {
  return REPEATABLE_NAME.test(name);
}

type ParsedName =
  | { version: number; versionText: string; name: string; kind: MigrationKind }
  | { repeatable: true; name: string }
  | 'repeatable-code'
  | 'unversioned'
  | undefined;

function parseFileName(fileName: string): ParsedName {
  if (fileName.startsWith('.') || /\.d\.m?ts$/.test(fileName)) return undefined;
  const ext = path.extname(fileName);
  const kind = MIGRATION_EXTENSIONS[ext];
  if (kind === undefined) return undefined;
  const base = fileName.slice(0, -ext.length);
  if (REPEATABLE_NAME.test(base)) return kind === 'sql' ? { repeatable: true, name: base } : 'repeatable-code';
  const match = FILE_NAME.exec(base);
  if (!match) return 'unversioned';
  return { version: Number(match[1]), versionText: match[1]!, name: base, kind };
}

/** `migrations/001_x.sql` when the file is under the root dir, else the absolute path. */
function displayPathOf(file: string, rootDir: string): string {
  const rel = path.relative(rootDir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}
