/**
 * COPY t [PARTITION (...)] [(columns)] [WHERE ...] TO DIRECTORY uri [WITH (...)], as CrateDB runs it: every
 * shard writes one file of its rows into the directory, `<table>_<shard>_<partition ident>.json` (`.gz` with
 * `compression = 'gzip'`), empty when the shard holds none; a row is a line: its source as a JSON object, or
 * with columns a JSON array of their values (`format = 'json_object'` makes that an object by output name).
 * Like CrateDB's collect on the shards' searchers, it reads the refreshed rows. The answer is the rowcount of
 * rows written. Files go to this machine's filesystem only (`file://` URIs or absolute paths).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { checkOpen, type TableDef } from './catalog.js';
import { CrateError, sqlParse, unsupportedFeature } from './errors.js';
import { properties } from './ddl-create.js';
import { quoteIdent } from './format.js';
import { constantOf } from './literals.js';
import { lex, parseStatement, sourceText, type Ctx } from './parse.js';
import { namedPartition, partitionIdent, partitionsOf, valueText } from './partitions.js';
import { prepareStatement } from './dispatch.js';
import { rowcountStatement, type Prepared, type RunContext } from './run.js';
import type { Env } from './scope.js';
import { shardOf } from './routing.js';
import { partitionAssignments } from './snapshot-state.js';
import { existingTable } from './stmt-ddl.js';

/** The WITH settings COPY TO takes (CopyAnalyzer); s3's are refused with the scheme. */
const SETTINGS = new Set(['compression', 'format', 'protocol', 'wait_for_completion']);

function directoryOf(node: Ctx): string {
  const c = constantOf(node.path);
  const uri = c?.kind === 'value' ? c.value : undefined;
  if (typeof uri !== 'string') throw sqlParse('fileUri must be of type STRING');
  if (uri.startsWith('file://')) return fileURLToPath(uri);
  if (uri.startsWith('/')) return uri;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1];
  if (scheme === 's3') throw unsupportedFeature(`COPY TO ${uri}: the test server writes only local files (file:// URIs or absolute paths)`);
  if (scheme !== undefined) throw unsupportedFeature(`Unknown scheme '${scheme}'`);
  return uri;
}

interface Options {
  gzip: boolean;
  format: 'json_object' | 'json_array';
}

function options(node: Ctx, hasColumns: boolean): Options {
  const opts = properties(node.withProperties?.());
  for (const key of opts.keys()) if (!SETTINGS.has(key)) throw sqlParse(`Setting '${key}' is not supported`);
  const compression = opts.get('compression');
  if (compression !== undefined && compression.toLowerCase() !== 'gzip') throw sqlParse(`Unknown compression type '${compression}'`);
  const format = (opts.get('format') ?? (hasColumns ? 'json_array' : 'json_object')).toLowerCase();
  if (format !== 'json_object' && format !== 'json_array') throw sqlParse(`Unknown output format '${format}'`);
  return { gzip: compression !== undefined, format };
}

/** The rows to write, each with the shard and partition it lives on. */
async function exportedRows(ctx: RunContext, env: Env, t: TableDef, node: Ctx, columns: Ctx[]): Promise<{ cols: string[]; rows: Array<{ values: unknown[]; shardKey: string; ident: string }> }> {
  const outputs = columns.length > 0 ? columns.map(sourceText) : ['_raw'];
  const routing = t.clusteredBy ? quoteIdent(t.clusteredBy) : '_id';
  const where = node.where?.() ? ` ${sourceText(node.where())}` : '';
  const sql = `SELECT ${[...outputs, routing, ...t.partitionedBy.map(quoteIdent)].join(', ')} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.name)}${where}`;
  const outcome = await prepareStatement(parseStatement(sql, env.version), env, lex(sql)).run(ctx, []);
  if (outcome.kind !== 'rows') throw new CrateError(500, 5000, 'SQLException[COPY TO read no rows]');
  const n = outputs.length;
  return {
    cols: outcome.cols.slice(0, n),
    rows: outcome.rows.map((r) => ({
      values: r.slice(0, n),
      shardKey: String(r[n] ?? ''),
      ident: t.partitionedBy.length === 0 ? '' : partitionIdent(r.slice(n + 1).map(valueText)),
    })),
  };
}

export function prepareCopyTo(node: Ctx, env: Env): Prepared {
  const columns = (node.columns?.()?.primaryExpression() as Ctx[] | null) ?? [];
  return rowcountStatement(async (ctx) => {
    if (!node.DIRECTORY?.()) throw unsupportedFeature('Using COPY TO without specifying a DIRECTORY is not supported');
    const ref = node.tableWithPartition();
    const t = existingTable(ref.qname(), env);
    checkOpen(t, 'COPY TO');
    const opts = options(node, columns.length > 0);
    const dir = directoryOf(node);
    const assigned = partitionAssignments(ref);
    if (assigned && t.partitionedBy.length === 0) throw sqlParse(`table '${t.schema}.${t.name}' is not partitioned`);
    const sets = t.partitionedBy.length === 0
      ? [{ ident: '', numberOfShards: t.numberOfShards }]
      : assigned ? [await namedPartition(ctx.state.pg, t, assigned)] : await partitionsOf(ctx.state.pg, t);
    const { cols, rows } = await exportedRows(ctx, env, t, node, columns);
    const byPartition = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = byPartition.get(r.ident);
      if (list) list.push(r);
      else byPartition.set(r.ident, [r]);
    }
    let written = 0;
    for (const set of sets) {
      const lines: string[][] = Array.from({ length: set.numberOfShards }, () => []);
      for (const row of byPartition.get(set.ident) ?? []) {
        lines[shardOf(row.shardKey, set.numberOfShards)]!.push(line(row.values, cols, opts, columns.length > 0, assigned ? t.partitionedBy : []));
        written++;
      }
      lines.forEach((shardLines, shard) => writeShardFile(path.join(dir, `${t.name}_${shard}_${set.ident}.json${opts.gzip ? '.gz' : ''}`), shardLines, opts.gzip));
    }
    return written;
  });
}

/** One output line. A row's source leaves out the partition columns of a PARTITION clause: they are not
 * in a partition's documents, and CrateDB adds them back only when it exports the whole table. */
function line(values: unknown[], cols: string[], opts: Options, hasColumns: boolean, dropped: readonly string[]): string {
  if (!hasColumns) {
    if (dropped.length === 0) return String(values[0]);
    const doc = JSON.parse(String(values[0])) as Record<string, unknown>;
    for (const c of dropped) delete doc[c];
    return JSON.stringify(doc);
  }
  return JSON.stringify(opts.format === 'json_array' ? values : Object.fromEntries(cols.map((c, i) => [c, values[i]])));
}

function writeShardFile(file: string, lines: string[], gzip: boolean): void {
  const text = lines.map((l) => `${l}\n`).join('');
  try {
    writeFileSync(file, gzip ? gzipSync(text) : text);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'Is a directory' : String((e as Error).message);
    throw new CrateError(500, 5000, `UnhandledServerException[Failed to open output: '${file} (${reason})']`);
  }
}
