import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse, CsvError, type Info } from 'csv-parse';
import { parseDocument } from 'yaml';
import { FileFormatError } from '../../errors.js';
import { parseHeader, tableFromSeedName } from '../header.js';
import type { SeedSource, SourceRow } from './source.js';

/**
 * CSV seeds: the first record names the columns, the table is the file name unless a sidecar
 * `<name>.csv.yaml` holds header keys (table, key, mode, requires, batchSize, columns). Streamed with
 * csv-parse. An empty unquoted field is NULL, a quoted empty field `""` is an empty string; arrays and
 * objects are written as JSON (`"[""novel"",""comedy""]"`).
 */
export async function openCsvSeed(
  path: string,
  displayFile: string,
  seedName: string,
  schema: string,
  sidecar?: { path: string; displayFile: string },
): Promise<SeedSource> {
  let headerRaw: unknown = {};
  if (sidecar) {
    const doc = parseDocument(await readFile(sidecar.path, 'utf8'));
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0].line;
      throw new FileFormatError(`${sidecar.displayFile}:${line ?? '?'}: ${error.message}`, sidecar.displayFile, line);
    }
    headerRaw = doc.toJS();
  }
  const header = parseHeader(headerRaw, {
    file: sidecar?.displayFile ?? displayFile,
    schema,
    defaultTable: tableFromSeedName(seedName),
  });
  return {
    header,
    hasRows: true,
    countRows: async () => undefined,
    rows: () => readRows(path, displayFile),
  };
}

async function* readRows(path: string, displayFile: string): AsyncGenerator<SourceRow[]> {
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      cast: (value, context) => (value === '' && !context.quoting ? null : value),
    }),
  );
  let columns: string[] | undefined;
  let row = 0;
  try {
    for await (const { info, record } of parser as AsyncIterable<{ info: Info; record: Array<string | null> }>) {
      if (!columns) {
        columns = headerColumns(record, displayFile, info.lines);
        continue;
      }
      row++;
      if (record.length !== columns.length) {
        yield [{ row, line: info.lines, problem: `expected ${columns.length} fields (${columns.join(', ')}), found ${record.length}` }];
        continue;
      }
      const values: Record<string, unknown> = {};
      columns.forEach((c, i) => (values[c] = record[i]));
      yield [{ row, line: info.lines, values }];
    }
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new FileFormatError(`${displayFile}:${line ?? '?'}: ${err.message}`, displayFile, line, { cause: err });
    }
    throw err;
  } finally {
    parser.destroy();
  }
}

function headerColumns(record: Array<string | null>, displayFile: string, line: number): string[] {
  const columns = record.map((c) => (c ?? '').trim());
  const bad = columns.findIndex((c, i) => c === '' || columns.indexOf(c) !== i);
  if (bad >= 0) {
    const what = columns[bad] === '' ? `column ${bad + 1} has no name` : `column "${columns[bad]}" appears twice`;
    throw new FileFormatError(`${displayFile}:${line}: header row: ${what}`, displayFile, line);
  }
  return columns;
}
