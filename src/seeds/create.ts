import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { tableFromSeedName } from './header.js';
import type { SeedFormat } from './types.js';

const EXTENSIONS: Record<SeedFormat, string> = { yaml: 'yaml', json: 'json', ndjson: 'ndjson', csv: 'csv', ts: 'ts' };

function template(format: SeedFormat, name: string): string {
  const table = tableFromSeedName(name);
  switch (format) {
    case 'yaml':
      return `# Data seed: rows for one table, written with bulk requests. See docs/seeds.md.
table: ${table}            # or schema.table; without a schema the config's schema
mode: upsert             # insert | upsert | skip-existing | replace
# key: id                # default: the table's primary key
# requires: 001_create_${table}   # migration that must be applied first
# columns:               # types of columns the table does not have yet
#   extra: text
rows: []
#  - id: "1"
#    title: Example
`;
    case 'json':
      return `${JSON.stringify({ table, mode: 'upsert', rows: [] }, null, 2)}\n`;
    case 'ndjson':
      return `${JSON.stringify({ $seed: { table, mode: 'upsert' } })}\n`;
    case 'csv':
      // The table is the file name; header keys (mode, requires, columns, ...) go in a <name>.csv.yaml sidecar.
      return 'id\n';
    case 'ts':
      return `import type { CodeSeed } from 'cratedb-migrate';

/** Code seed: rows(ctx) yields rows for \`table\`; run(ctx) may run statements first. See docs/seeds.md. */
const seed: CodeSeed = {
  table: '${table}',
  mode: 'upsert',
  *rows() {
    // yield { id: '1', title: 'Example' };
  },
};

export default seed;
`;
  }
}

/**
 * Writes a seed template `<dir>/<name>.<ext>` and returns its path. Refuses to overwrite an existing file and
 * names that would not be a file name of their own.
 */
export async function createSeedFile(options: { dir: string; name: string; format: SeedFormat }): Promise<string> {
  const { dir, name, format } = options;
  if (!(format in EXTENSIONS)) {
    throw new UsageError(`unknown seed format "${format}"; use one of ${Object.keys(EXTENSIONS).join(', ')}`);
  }
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.includes('..')) {
    throw new UsageError(`seed name "${name}" must be letters, digits, "_", "-" or "." (it becomes the file name)`);
  }
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.${EXTENSIONS[format]}`);
  try {
    await writeFile(file, template(format, name), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists already`);
    throw err;
  }
  return file;
}
