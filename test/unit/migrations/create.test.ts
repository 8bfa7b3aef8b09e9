import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { loadCodeMigration } from '../../../src/migrations/code-file.js';
import { createMigrationFile } from '../../../src/migrations/create.js';
import { checksumOf } from '../../../src/migrations/source.js';
import { parseSqlMigration } from '../../../src/migrations/sql-file.js';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cm-create-'));
  dir = path.join(root, 'migrations');
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('createMigrationFile', () => {
  it('starts at 001 in a missing directory, with a template that has an up and an empty down', async () => {
    const file = await createMigrationFile({ dir, name: 'Create books!', kind: 'sql' });
    expect(path.basename(file)).toBe('001_create_books.sql');
    const parsed = await parseSqlMigration(await readFile(file, 'utf8'), { file, placeholders: {}, defaultSchema: 'doc' });
    expect(parsed).toEqual({ up: [], down: [], rerunnable: false });
  });

  it('takes the next version after the highest, padded like the existing ones', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, '0002_b.sql'), '');
    await writeFile(path.join(dir, '0010_c.ts'), '');
    await writeFile(path.join(dir, 'README.md'), '');
    const file = await createMigrationFile({ dir, name: 'add_isbn', kind: 'ts' });
    expect(path.basename(file)).toBe('0011_add_isbn.ts');
    const bytes = await readFile(file);
    const module = await loadCodeMigration({ path: file, displayPath: file, checksum: checksumOf(bytes) });
    expect(typeof module.up).toBe('function');
    expect(typeof module.down).toBe('function');
  });

  it('keeps timestamp versions', async () => {
    await mkdir(dir);
    await writeFile(path.join(dir, '20261125120000_a.sql'), '');
    expect(path.basename(await createMigrationFile({ dir, name: 'b' }))).toBe('20261125120001_b.sql');
  });

  it('refuses a name without letters or digits', async () => {
    await expect(createMigrationFile({ dir, name: '  !! ' })).rejects.toBeInstanceOf(UsageError);
    await createMigrationFile({ dir, name: 'a' });
    expect(await readdir(dir)).toEqual(['001_a.sql']);
  });
});
