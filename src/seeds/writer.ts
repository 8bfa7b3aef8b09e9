import { quoteIdent, qualifiedName } from '../client/identifiers.js';
import type { CrateClient, TableRef } from '../client/types.js';
import { AbortedError, CrateDbError } from '../errors.js';
import type { SeedAccount } from './account.js';
import type { SourceRow } from './formats/source.js';
import { jsonSize } from './json-size.js';
import { rowPreparer, type PreparedRow, type RowTarget } from './prepare.js';
import type { SeedMode } from './types.js';

/**
 * Bulk requests in flight at once: one being answered while the next is sent, and memory stays at ~2 batches.
 * Measured (docs/performance.md): 2 beats 1 by a fifth against CrateDB; 4 gains nothing over 2 on 2 cores.
 */
const MAX_IN_FLIGHT = 2;
/**
 * A batch also closes when its values reach about this many bytes of JSON, whatever `batchSize` says: the
 * best measured requests carried ~0.6 MB (5,000 rows of ~130 bytes), and rows of kilobytes would otherwise
 * make requests of tens of megabytes that CrateDB must hold whole in memory.
 */
export const MAX_BATCH_BYTES = 1 << 20;
/**
 * A batch of at least this many rows that bisects down to every row failing with one and the same message is
 * a statement-level problem, not bad rows: the seed stops instead of sending each remaining row on its own.
 */
const SAME_ERROR_STOP = 8;
/** Rows a dry run keeps as a sample. */
const SAMPLE_ROWS = 5;

export interface WriteOptions {
  client: CrateClient;
  table: TableRef;
  /** Conflict key for `upsert` and `skip-existing` (the primary key). */
  key: string[];
  /** Generated columns: CrateDB computes them, an upsert does not SET them. */
  generated: ReadonlySet<string>;
  mode: SeedMode;
  batchSize: number;
  dryRun: boolean;
  signal?: AbortSignal;
  account: SeedAccount;
  /** Dry run: receives the first rows as they would be sent. */
  sample: Array<Record<string, unknown>>;
  /** Called with `account.done` whenever rows were accounted for. */
  onProgress(done: number): void;
}

/**
 * Converts and writes a stream of rows with `bulk_args`, batch by batch, and accounts for every row:
 * `rowcount >= 1` written, `0` unchanged (DO NOTHING kept an existing row), `-2` failed with CrateDB's error.
 * A batch CrateDB refuses whole with HTTP 400 wrote nothing, so it is split in halves until the bad rows are
 * isolated and the good ones written. Any other error (no answer, 5xx, abort) stops the seed: the rows of a
 * request without an answer are failed as "outcome unknown", rows not yet sent are counted as skipped, and
 * the error is thrown once the requests in flight are settled and accounted.
 */
export async function writeRows(rows: AsyncIterable<readonly SourceRow[]>, target: RowTarget, options: WriteOptions): Promise<void> {
  const { account, batchSize, signal } = options;
  const statements = new Map<string, string>();
  const prepareRow = rowPreparer(target);
  const inflight = new Set<Promise<void>>();
  let fatal: unknown;

  const statementFor = (row: PreparedRow) => {
    let stmt = statements.get(row.signature);
    if (stmt === undefined) {
      stmt = insertStatement(options.table, row.columns, options.key, options.mode, options.generated);
      statements.set(row.signature, stmt);
    }
    return stmt;
  };

  /** Leaf refusals of one top-level batch, to tell bad rows from a statement every row fails. */
  interface Refusals { count: number; messages: Set<string> }

  const send = async (batch: PreparedRow[], refusals: Refusals): Promise<void> => {
    if (fatal !== undefined) {
      account.skipped += batch.length;
      return;
    }
    let results;
    try {
      results = (await options.client.bulk(statementFor(batch[0]!), batch.map((r) => r.args))).results;
    } catch (err) {
      if (err instanceof CrateDbError && err.httpStatus === 400) {
        // A 400 wrote nothing of this batch (an unconvertible value, NOT NULL, a missing key part): bisect.
        if (batch.length === 1) {
          account.fail({ ...origin(batch[0]!), code: err.crateCode, message: err.message, stage: 'write' });
          refusals.count++;
          refusals.messages.add(err.message);
        } else {
          const mid = batch.length >> 1;
          await send(batch.slice(0, mid), refusals);
          await send(batch.slice(mid), refusals);
        }
        return;
      }
      fatal ??= err;
      const message = `outcome unknown, the row may or may not be written: ${(err as Error).message}`;
      for (const r of batch) account.fail({ ...origin(r), message, stage: 'write' });
      return;
    }
    if (results.length !== batch.length) {
      fatal ??= new CrateDbError(`bulk answer has ${results.length} results for ${batch.length} rows`, 0, 200, '');
      const message = 'outcome unknown: the bulk answer does not match the request';
      for (const r of batch) account.fail({ ...origin(r), message, stage: 'write' });
      return;
    }
    results.forEach((item, i) => {
      if (item.rowcount >= 1) account.written++;
      else if (item.rowcount === 0) account.unchanged++;
      else {
        const message = item.rowcount === -2 ? (item.error?.message ?? 'no error detail') : `unexpected rowcount ${item.rowcount}`;
        account.fail({ ...origin(batch[i]!), code: item.error?.code, message, stage: 'write' });
      }
    });
  };

  const dispatch = async (batch: PreparedRow[]) => {
    while (inflight.size >= MAX_IN_FLIGHT) await Promise.race(inflight);
    if (signal?.aborted) {
      fatal ??= new AbortedError();
      account.skipped += batch.length;
      return;
    }
    const refusals: Refusals = { count: 0, messages: new Set() };
    const p: Promise<void> = send(batch, refusals).finally(() => {
      if (batch.length >= SAME_ERROR_STOP && refusals.count === batch.length && refusals.messages.size === 1) {
        fatal ??= new CrateDbError(
          `every row of a batch of ${batch.length} failed with the same error, stopped: ${[...refusals.messages][0]}`,
          0, 400, '', statementFor(batch[0]!),
        );
      }
      inflight.delete(p);
      options.onProgress(account.done);
    });
    inflight.add(p);
  };

  let batch: PreparedRow[] = [];
  let batchBytes = 0;
  try {
    reading: for await (const chunk of rows) {
      for (const source of chunk) {
        if (signal?.aborted) throw new AbortedError();
        if (fatal !== undefined) break reading;
        account.rows++;
        const prepared = prepareRow(source);
        if (!('args' in prepared)) {
          account.fail(prepared);
          continue;
        }
        if (options.dryRun) {
          account.skipped++;
          if (options.sample.length < SAMPLE_ROWS) {
            options.sample.push(Object.fromEntries(prepared.columns.map((c, i) => [c, prepared.args[i]])));
          }
          if (account.rows % batchSize === 0) options.onProgress(account.done);
          continue;
        }
        const bytes = jsonSize(prepared.args);
        const full = batch.length >= batchSize || batchBytes + bytes > MAX_BATCH_BYTES;
        if (batch.length > 0 && (full || prepared.signature !== batch[0]!.signature)) {
          await dispatch(batch);
          batch = [];
          batchBytes = 0;
        }
        batch.push(prepared);
        batchBytes += bytes;
      }
    }
    if (batch.length > 0) await dispatch(batch);
    batch = [];
  } catch (err) {
    fatal ??= err;
  } finally {
    account.skipped += batch.length;
    await Promise.all(inflight);
    options.onProgress(account.done);
  }
  if (fatal !== undefined) throw fatal;
}

function origin(row: PreparedRow) {
  return { row: row.row, line: row.line };
}

/** The INSERT for a batch's columns: identifiers quoted, values as `?` placeholders filled by `bulk_args`. */
function insertStatement(
  table: TableRef,
  columns: readonly string[],
  key: readonly string[],
  mode: SeedMode,
  generated: ReadonlySet<string>,
): string {
  const insert = `INSERT INTO ${qualifiedName(table)} (${columns.map(quoteIdent).join(', ')}) ` +
    `VALUES (${columns.map(() => '?').join(', ')})`;
  if (mode === 'insert' || mode === 'replace') return insert;
  const conflict = `${insert} ON CONFLICT (${key.map(quoteIdent).join(', ')})`;
  const updates = columns.filter((c) => !key.includes(c) && !generated.has(c));
  if (mode === 'skip-existing' || updates.length === 0) return `${conflict} DO NOTHING`;
  return `${conflict} DO UPDATE SET ${updates.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}`;
}
