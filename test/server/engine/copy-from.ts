/**
 * COPY t [(cols)] FROM uri [WITH (...)] [RETURN SUMMARY], as CrateDB answers it: every line of every
 * file is inserted on its own, a line that fails (bad JSON, a value that does not cast, a duplicate
 * key, an unknown column of a strict table) is skipped, and the answer is 200 whatever happened.
 * Without RETURN SUMMARY it is only the rowcount of rows loaded (0 when nothing was, even for a missing
 * file); with it one row per file: node, uri, success_count, error_count and errors (message ->
 * count and line numbers). Files come from this machine's filesystem only (`file://` URIs or absolute
 * paths, `*` in the file name); the test server fetches nothing from the network.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { checkOpen, type TableDef } from './catalog.js';
import { CrateError, sqlParse, unsupportedFeature } from './errors.js';
import { properties } from './ddl-create.js';
import { quoteIdent } from './format.js';
import { constantOf } from './literals.js';
import { identName, lex, parseStatement, type Ctx } from './parse.js';
import { checkPrivileges, onRelation } from './privileges.js';
import { prepareStatement } from './dispatch.js';
import type { Prepared, RunContext } from './run.js';
import type { Env } from './scope.js';
import { existingTable } from './stmt-ddl.js';
import { T } from './types.js';

/** What one file gave: rows loaded, lines failed, and the failures by message. */
export interface FileSummary {
  uri: string;
  successCount: number | null;
  errorCount: number | null;
  errors: Record<string, { count: number; line_numbers: number[] }>;
}

/** CrateDB keeps at most this many line numbers per error message. */
const LINE_NUMBERS_KEPT = 50;

function uris(node: Ctx): string[] {
  const c = constantOf(node.path);
  const v = c?.kind === 'value' ? c.value : undefined;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((u): u is string => typeof u === 'string')) throw sqlParse('fileUri must be of type STRING or STRING ARRAY');
  return list;
}

/** Local files of a URI (`*` in the file name matches any run of characters). */
function localFiles(uri: string): { uri: string; file: string }[] {
  let file: string;
  if (uri.startsWith('file://')) file = fileURLToPath(uri);
  else if (uri.startsWith('/')) file = uri;
  else throw unsupportedFeature(`COPY FROM ${uri}: the test server reads only local files (file:// URIs or absolute paths)`);
  if (!path.basename(file).includes('*')) return [{ uri, file }];
  const dir = path.dirname(file);
  const pattern = new RegExp(`^${path.basename(file).split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => pattern.test(n)).sort() : [];
  return names.map((n) => ({ uri: `file://${path.join(dir, n)}`, file: path.join(dir, n) }));
}

/** The records of a file with their line numbers: JSON lines, or CSV with a header line. */
function records(text: string, format: string): Array<{ line: number; record?: Record<string, unknown>; error?: string }> {
  const lines = text.split(/\r?\n/);
  const out: Array<{ line: number; record?: Record<string, unknown>; error?: string }> = [];
  if (format === 'csv') {
    const header = splitCsv(lines[0] ?? '');
    for (let i = 1; i < lines.length; i++) {
      if (lines[i]!.trim() === '') continue;
      const cells = splitCsv(lines[i]!);
      out.push({ line: i + 1, record: Object.fromEntries(header.map((h, k) => [h, cells[k] ?? null])) });
    }
    return out;
  }
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    try {
      const v = JSON.parse(l) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) out.push({ line: i + 1, error: `Failed to parse JSON in line: ${i + 1}` });
      else out.push({ line: i + 1, record: v as Record<string, unknown> });
    } catch {
      out.push({ line: i + 1, error: `Failed to parse JSON in line: ${i + 1}` });
    }
  });
  return out;
}

function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells;
}

/** `Name[text]` -> text: COPY FROM reports the message of a failed row without the exception name. */
function messageOf(e: CrateError): string {
  const m = /^\w+\[([\s\S]*)\]$/.exec(e.message);
  return m ? m[1]! : e.message;
}

async function insertRecord(ctx: RunContext, env: Env, t: TableDef, record: Record<string, unknown>, overwrite: boolean): Promise<number> {
  const cols = Object.keys(record);
  const target = `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
  const update = overwrite && t.primaryKey.length > 0 && cols.some((c) => !t.primaryKey.includes(c))
    ? ` ON CONFLICT (${t.primaryKey.map(quoteIdent).join(', ')}) DO UPDATE SET ${cols.filter((c) => !t.primaryKey.includes(c)).map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}`
    : '';
  const sql = `INSERT INTO ${target} (${cols.map(quoteIdent).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${update}`;
  const outcome = await prepareStatement(parseStatement(sql, env.version), env, lex(sql)).run(ctx, cols.map((c) => record[c]));
  return outcome.kind === 'count' ? outcome.rowcount : 0;
}

async function loadFile(ctx: RunContext, env: Env, t: TableDef, f: { uri: string; file: string }, opts: Map<string, string>, columns: string[]): Promise<FileSummary> {
  // A file that cannot be read is one error of its own, with no counts.
  const unreadable = (message: string): FileSummary => ({ uri: f.uri, successCount: null, errorCount: null, errors: { [message]: { count: 1, line_numbers: [] } } });
  if (!existsSync(f.file)) return unreadable(`${f.file} (No such file or directory)`);
  let raw: Buffer;
  try {
    raw = readFileSync(f.file);
    if (opts.get('compression') === 'gzip') raw = gunzipSync(raw);
  } catch (e) {
    return unreadable(e instanceof Error ? e.message : String(e));
  }
  const format = opts.get('format') ?? (f.file.endsWith('.csv') || f.file.endsWith('.csv.gz') ? 'csv' : 'json');
  const summary: FileSummary = { uri: f.uri, successCount: 0, errorCount: 0, errors: {} };
  const fail = (message: string, line: number): void => {
    summary.errorCount!++;
    const entry = (summary.errors[message] ??= { count: 0, line_numbers: [] });
    entry.count++;
    if (entry.line_numbers.length < LINE_NUMBERS_KEPT) entry.line_numbers.push(line);
  };
  for (const r of records(raw.toString('utf8'), format)) {
    if (!r.record) {
      fail(r.error!, r.line);
      continue;
    }
    const record = columns.length > 0 ? Object.fromEntries(columns.map((c) => [c, r.record![c] ?? null])) : r.record;
    try {
      summary.successCount! += await insertRecord(ctx, env, t, record, opts.get('overwrite_duplicates') === 'true');
    } catch (e) {
      if (!(e instanceof CrateError)) throw e;
      fail(messageOf(e), r.line);
    }
  }
  return summary;
}

export function prepareCopyFrom(node: Ctx, env: Env): Prepared {
  const opts = properties(node.withProperties?.());
  const columns = ((node.ident() as Ctx[] | null) ?? []).map(identName);
  const summaryWanted = !!node.SUMMARY?.();
  return {
    returnsRows: summaryWanted,
    maxParam: 0,
    async run(ctx) {
      const t = existingTable(node.tableWithPartition().qname(), env, 'INSERT');
      checkOpen(t, 'INSERT');
      checkPrivileges(env.user, [onRelation(t, 'DML')]);
      const summaries: FileSummary[] = [];
      for (const uri of uris(node)) for (const f of localFiles(uri)) summaries.push(await loadFile(ctx, env, t, f, opts, columns));
      if (!summaryWanted) return { kind: 'count', rowcount: summaries.reduce((n, s) => n + (s.successCount ?? 0), 0) };
      const n = ctx.state.cluster.nodes[0];
      const nodeInfo = { id: n?.id ?? null, name: n?.name ?? null };
      return {
        kind: 'rows',
        cols: ['node', 'uri', 'success_count', 'error_count', 'errors'],
        types: [T.object(), T.text, T.bigint, T.bigint, T.object()],
        oids: [3802, 25, 20, 20, 3802],
        rows: summaries.map((s) => [nodeInfo, s.uri, s.successCount, s.errorCount, s.errors]),
      };
    },
  };
}
