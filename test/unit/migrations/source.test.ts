import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../src/errors.js';
import { checksumOf, discoverMigrations } from '../../../src/migrations/source.js';
import { DIR, ROOT, memoryFs } from './fakes.js';

const discover = (files: Record<string, string>) => discoverMigrations(DIR, { fs: memoryFs(files), rootDir: ROOT });

async function rejection(promise: Promise<unknown>): Promise<FileFormatError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileFormatError);
  return err as FileFormatError;
}

describe('discoverMigrations', () => {
  it('orders by version numerically, not by text', async () => {
    const found = await discover({ '10_ten.sql': '', '2_two.sql': '', '1_one.ts': '', '20261125120000_stamp.mjs': '' });
    expect(found.map((f) => f.name)).toEqual(['1_one', '2_two', '10_ten', '20261125120000_stamp']);
    expect(found.map((f) => f.version)).toEqual([1, 2, 10, 20261125120000]);
    expect(found.map((f) => f.kind)).toEqual(['code', 'sql', 'sql', 'code']);
    expect(found[0]!.displayPath).toBe('migrations/1_one.ts');
    expect(found[0]!.path).toBe(`${DIR}/1_one.ts`);
  });

  it('ignores other extensions, dot files and declaration files', async () => {
    const found = await discover({
      'README.md': '# notes',
      '.001_x.sql.swp': '',
      '.#002_y.sql': '',
      '003_types.d.ts': '',
      'notes.txt': '',
      '004_real.sql': '',
    });
    expect(found.map((f) => f.name)).toEqual(['004_real']);
  });

  it('refuses two files with the same version, naming both', async () => {
    const err = await rejection(discover({ '001_a.sql': '', '1_b.ts': '', '002_c.sql': '' }));
    expect(err.code).toBe('CM_FILE');
    expect(err.message).toContain('migrations/001_a.sql');
    expect(err.message).toContain('migrations/1_b.ts');
  });

  it('refuses a migration file without a version, naming it and the expected form', async () => {
    const err = await rejection(discover({ '001_a.sql': '', 'create_books.sql': '' }));
    expect(err.file).toBe('migrations/create_books.sql');
    expect(err.message).toContain('<version>_<name>');
  });

  it('checksums are the SHA-256 hex of the bytes', async () => {
    const text = '-- migrate:up\nCREATE TABLE t (a TEXT);\n';
    const [file] = await discover({ '001_a.sql': text });
    const expected = createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
    expect(file!.checksum).toBe(expected);
    expect(checksumOf(new TextEncoder().encode(text))).toBe(expected);
    const [changed] = await discover({ '001_a.sql': `${text} ` });
    expect(changed!.checksum).not.toBe(expected);
  });

  it('a missing directory has no migrations', async () => {
    expect(await discoverMigrations('/nowhere', { fs: memoryFs({}), rootDir: ROOT })).toEqual([]);
  });
});
