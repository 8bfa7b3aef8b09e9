import { readFile } from 'node:fs/promises';
import { LineCounter, parseAllDocuments, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import { FileFormatError } from '../../errors.js';
import { parseHeader, tableFromSeedName } from '../header.js';
import type { SeedSource, SourceRow } from './source.js';

/**
 * YAML and JSON seeds (JSON is read by the YAML parser, which accepts it and knows every node's line).
 * Either a mapping with header keys and `rows: [ {column: value}, ... ]`, or a bare list of rows (the table is
 * then the file name). The file is parsed whole: large data belongs in NDJSON or CSV, which stream.
 */
export async function openDocumentSeed(
  path: string,
  displayFile: string,
  seedName: string,
  schema: string,
): Promise<SeedSource> {
  const lineCounter = new LineCounter();
  // Integers as BigInt so that ids beyond 2^53 keep every digit; conversion turns them into numbers or strings.
  const docs = parseAllDocuments(await readFile(path, 'utf8'), { lineCounter, intAsBigInt: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length !== 1) {
    throw new FileFormatError(`${displayFile}: expected exactly one document, found ${list.length}`, displayFile);
  }
  const doc = list[0]!;
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  const error = doc.errors[0];
  if (error) {
    const line = lineAt(error.pos[0]);
    throw new FileFormatError(`${displayFile}:${line ?? '?'}: ${error.message}`, displayFile, line, { cause: error });
  }
  const contents = doc.contents;
  let rowsNode: unknown = contents;
  let headerRaw: Record<string, unknown> = {};
  if (isMap(contents)) {
    for (const pair of contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === 'rows') continue;
      const value = isNode(pair.value) ? pair.value.toJS(doc, { maxAliasCount: -1 }) : pair.value;
      headerRaw[key] = typeof value === 'bigint' ? Number(value) : value;
    }
    rowsNode = contents.get('rows', true);
    if (rowsNode === undefined) {
      throw new FileFormatError(`${displayFile}: no "rows" key: list the rows under rows:`, displayFile);
    }
  } else if (!isSeq(contents)) {
    throw new FileFormatError(`${displayFile}: expected a mapping with "rows" or a list of rows`, displayFile);
  }
  if (!isSeq(rowsNode)) {
    const line = lineAt((rowsNode as { range?: number[] } | null)?.range?.[0]);
    throw new FileFormatError(`${displayFile}:${line ?? '?'}: "rows" must be a list of rows`, displayFile, line);
  }
  const header = parseHeader(headerRaw, {
    file: displayFile,
    schema,
    defaultTable: tableFromSeedName(seedName),
    lineOf: (keyPath) => lineAt(keyNode(doc, keyPath)?.range?.[0]),
  });
  const seq = rowsNode;
  const rows: SourceRow[] = seq.items.map((node, i) => {
    const line = lineAt((node as { range?: number[] }).range?.[0]);
    const value = isMap(node) ? (node.toJS(doc, { maxAliasCount: -1 }) as Record<string, unknown>) : undefined;
    return value ? { row: i + 1, line, values: value } : { row: i + 1, line, problem: 'a row must be a mapping of column: value' };
  });
  return {
    header,
    hasRows: true,
    countRows: async () => rows.length,
    rows: async function* () {
      if (rows.length > 0) yield rows;
    },
  };
}

function keyNode(doc: Document, keyPath: ReadonlyArray<string | number>): { range?: number[] } | undefined {
  const contents = doc.contents;
  if (!isMap(contents) || keyPath.length === 0) return undefined;
  const pair = contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === keyPath[0]);
  return (pair?.key as { range?: number[] } | undefined) ?? undefined;
}

