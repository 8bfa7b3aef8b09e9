import { createReadStream } from 'node:fs';
import { FileFormatError } from '../../errors.js';
import { parseHeader, tableFromSeedName } from '../header.js';
import { readLines } from './lines.js';
import type { SeedSource, SourceRow } from './source.js';

/**
 * NDJSON seeds: one JSON object per line, streamed (formats/lines.ts) so that a file of any size is seeded
 * without holding it in memory. An optional first line `{"$seed": {header}}` names the table and the rest;
 * without it the table is the file name. A line that is not a JSON object is a failed row, not a fatal error.
 */
export async function openNdjsonSeed(
  path: string,
  displayFile: string,
  seedName: string,
  schema: string,
): Promise<SeedSource> {
  const first = await firstLine(path);
  let headerRaw: unknown = {};
  let headerLine = 0;
  if (first && /^\s*\{\s*"\$seed"\s*:/.test(first.text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(first.text);
    } catch (err) {
      const message = `${displayFile}:${first.line}: the $seed header line is not valid JSON`;
      throw new FileFormatError(message, displayFile, first.line, { cause: err });
    }
    const keys = Object.keys(parsed as object);
    if (keys.length !== 1) {
      throw new FileFormatError(`${displayFile}:${first.line}: the header line must hold only "$seed"`, displayFile, first.line);
    }
    headerRaw = (parsed as { $seed: unknown }).$seed;
    headerLine = first.line;
  }
  const header = parseHeader(headerRaw, {
    file: displayFile,
    schema,
    defaultTable: tableFromSeedName(seedName),
    lineOf: () => headerLine || undefined,
  });
  return {
    header,
    hasRows: true,
    countRows: async () => (await countDataLines(path)) - (headerLine > 0 ? 1 : 0),
    rows: () => readRows(path, headerLine),
  };
}

async function* readRows(path: string, headerLine: number): AsyncGenerator<SourceRow[]> {
  let line = 0;
  let row = 0;
  for await (const lines of readLines(path)) {
    const chunk: SourceRow[] = [];
    for (const text of lines) {
      line++;
      if (line === headerLine || text.trim() === '') continue;
      row++;
      let values: unknown;
      try {
        values = JSON.parse(text);
      } catch {
        chunk.push({ row, line, problem: 'not valid JSON' });
        continue;
      }
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        chunk.push({ row, line, problem: 'a row must be a JSON object of column: value' });
        continue;
      }
      chunk.push({ row, line, values: values as Record<string, unknown> });
    }
    if (chunk.length > 0) yield chunk;
  }
}

async function firstLine(path: string): Promise<{ text: string; line: number } | undefined> {
  // The same line reader as the rows, so that the header's line number is the one readRows counts.
  let line = 0;
  for await (const lines of readLines(path)) {
    for (const text of lines) {
      line++;
      if (text.trim() !== '') return { text, line };
    }
  }
  return undefined;
}

/** Lines holding something other than blanks, counted on raw bytes (no decoding, no parsing). */
async function countDataLines(path: string): Promise<number> {
  let count = 0;
  let blank = true;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x0a) {
        if (!blank) count++;
        blank = true;
      } else if (blank && b !== 0x20 && b !== 0x0d && b !== 0x09) {
        blank = false;
      }
    }
  }
  return blank ? count : count + 1;
}
