import type { Logger } from 'pino';
import type { CrateClient, TableRef } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { AbortedError, CrateMigrateError, SeedError, UsageError } from '../errors.js';
import { qualifiedName } from '../client/identifiers.js';
import { createMigrationContext } from '../migrations/context.js';
import { SeedAccount } from './account.js';
import { discoverSeeds, selectSeeds, type SeedFile } from './discover.js';
import { planSeed, tableReader, type SeedPlan } from './plan.js';
import { seedStatus } from './status.js';
import { SeedTracking } from './tracking.js';
import {
  SEED_MODES,
  type SeedProgress,
  type SeedResult,
  type SeedRunOptions,
  type SeedRunResult,
  type SeedStatusEntry,
} from './types.js';
import { writeRows } from './writer.js';

/** What `createSeeder` needs. */
export interface SeederOptions {
  config: ResolvedConfig;
  client: CrateClient;
  logger: Logger;
  /** Checked between batches and between seeds; requests in flight finish and are accounted for. */
  signal?: AbortSignal;
  /** Progress callbacks; without one the seeder logs a line per 10 batches at info. */
  progress?: SeedProgress;
}

/** The seed commands over one config and client. */
export interface Seeder {
  /**
   * Runs the seeds of `seeds/` and `seeds/<env>/` in name order. Every check that needs no write (files,
   * headers, required migrations, tables, keys) runs for every seed first; if one fails, nothing is written.
   * Returns the result when every row was written; throws `SeedError` with the same result (`err.result`) when
   * a row failed or a seed could not run.
   */
  run(options?: SeedRunOptions): Promise<SeedRunResult>;
  /** Every seed file and every recorded seed, with its state. Writes nothing. */
  status(): Promise<SeedStatusEntry[]>;
}

/** Rows between two progress log lines when no progress reporter is given: 10 batches. */
const LOG_EVERY_BATCHES = 10;

/** Creates the seeder behind `cratedb-migrate seed`. */
export function createSeeder(options: SeederOptions): Seeder {
  const { config, client, logger, signal, progress } = options;
  const tracking = new SeedTracking(client, config.seedsTable);

  async function run(runOptions: SeedRunOptions = {}): Promise<SeedRunResult> {
    checkOptions(runOptions);
    const started = Date.now();
    const dryRun = runOptions.dryRun ?? false;
    const seeds = selectSeeds(await discoverSeeds(config.seedsDir, config.env), runOptions.only);
    checkAborted();
    const planContext = { client, config, tracking, signal, readTable: tableReader(client, signal) };
    const plans = await planAll(seeds, (seed) => planSeed(seed, runOptions, planContext));
    const runResult: SeedRunResult = { seeds: plans.map((p) => p.result), dryRun, durationMs: 0 };
    const finish = () => {
      runResult.durationMs = Date.now() - started;
      return runResult;
    };
    const refused = plans.filter((p) => p.result.status === 'failed');
    if (refused.length > 0 && !dryRun) {
      throw new SeedError(`nothing seeded: ${refused.map((p) => p.result.error!.message).join('; ')}`, finish());
    }
    if (!dryRun && plans.some((p) => p.result.status === 'pending')) await tracking.ensure(signal);
    for (const plan of plans) {
      if (plan.result.status === 'skipped') {
        logger.info({ event: 'seed.skip', seed: plan.seed.name }, 'seed unchanged since its last run, skipped');
        continue;
      }
      if (plan.result.status !== 'pending') continue;
      try {
        checkAborted();
        await execute(plan, dryRun);
      } catch (err) {
        throw new SeedError(`seed "${plan.seed.name}" stopped: ${(err as Error).message}`, finish(), { cause: err });
      }
    }
    const failed = plans.filter((p) => p.result.status === 'failed');
    if (failed.length > 0) throw new SeedError(failureSummary(failed.map((p) => p.result)), finish());
    return finish();
  }

  async function execute(plan: SeedPlan, dryRun: boolean): Promise<void> {
    const started = Date.now();
    const { result, source } = plan;
    const header = source!.header;
    let written: TableRef | undefined;
    const account = new SeedAccount();
    const sample: Array<Record<string, unknown>> = [];
    const fullCtx = createMigrationContext({
      client, config, signal: signal ?? new AbortController().signal, logger: logger.child({ seed: plan.seed.name }),
    });
    const ctx = dryRun ? (await import('./dry-run-context.js')).readOnlyContext(fullCtx) : fullCtx;
    const info = { name: result.name, table: result.table, mode: result.mode };
    progress?.start(info, progress && source!.hasRows ? await source!.countRows() : undefined);
    logger.info({ event: 'seed.start', seed: result.name, table: result.table, mode: result.mode, dryRun }, 'seeding');
    let logged = 0;
    const onProgress = (done: number) => {
      progress?.batch(done);
      if (!progress && done - logged >= plan.batchSize * LOG_EVERY_BATCHES) {
        logged = done;
        logger.info({ event: 'seed.progress', seed: result.name, rows: done }, `${done} rows`);
      }
    };
    let failure: unknown;
    try {
      if (source!.run && !dryRun) await source!.run(ctx);
      if (source!.run && dryRun) logger.info({ event: 'seed.dry_run', seed: result.name }, 'dry run: run(ctx) not called');
      if (source!.hasRows && header.table) {
        if (result.mode === 'replace' && !dryRun) await replaceAll(header.table, result.name);
        if (!dryRun) written = header.table;
        const target = {
          tableName: result.table!,
          columns: plan.table?.columns ?? new Map(),
          tableExists: plan.table?.exists ?? false,
          declared: header.columns,
          required: plan.requiredKey,
        };
        await writeRows(source!.rows(ctx), target, {
          client, table: header.table, key: plan.key, generated: plan.table?.generated ?? new Set(), mode: result.mode,
          batchSize: plan.batchSize, dryRun, signal, account, sample, onProgress,
        });
      }
    } catch (err) {
      failure = err;
    }
    try {
      result.checksum = await plan.checksum;
    } catch (err) {
      failure ??= err;
    }
    Object.assign(result, {
      rows: account.rows, written: account.written, unchanged: account.unchanged, skipped: account.skipped,
      failed: account.failed, failures: account.failures, durationMs: Date.now() - started,
    });
    if (dryRun) result.sample = sample;
    // Written rows are searchable when the call returns, also when the seed stopped halfway. A code seed's own
    // statements in run(ctx) refresh what they write themselves (ctx.refresh).
    if (written) {
      try {
        await client.refresh([written]);
      } catch (err) {
        logger.error({ event: 'seed.refresh_failed', seed: result.name, err }, 'REFRESH TABLE failed: new rows may not be searchable yet');
        failure ??= err;
      }
    }
    if (failure !== undefined) {
      result.status = 'failed';
      const code = failure instanceof CrateMigrateError ? failure.code : 'ERROR';
      result.error = { code, message: (failure as Error).message };
      logger.error({ event: 'seed.stopped', seed: result.name, err: failure }, 'seed stopped');
      progress?.end(result);
      throw failure;
    }
    result.status = account.failed > 0 ? 'failed' : dryRun ? 'planned' : 'seeded';
    if (!dryRun) {
      await tracking.record({
        name: result.name, checksum: result.checksum, rowsWritten: result.written, rowsUnchanged: result.unchanged,
        rowsFailed: result.failed, seededAt: new Date(), durationMs: result.durationMs,
      });
    }
    const level = result.failed > 0 ? 'warn' : 'info';
    logger[level]({
      event: 'seed.done', seed: result.name, table: result.table, rows: result.rows, written: result.written,
      unchanged: result.unchanged, failed: result.failed, durationMs: result.durationMs,
    }, result.failed > 0 ? `${result.failed} rows failed` : 'seeded');
    progress?.end(result);
  }

  /** `replace`: REFRESH first, because a DELETE only sees refreshed rows; logged loudly. */
  async function replaceAll(table: TableRef, seed: string): Promise<void> {
    await client.refresh([table], { signal });
    const r = await client.sql(`DELETE FROM ${qualifiedName(table)}`, [], { signal });
    logger.warn({ event: 'seed.replace', seed, table: `${table.schema}.${table.table}`, deleted: r.rowcount },
      `mode replace: deleted every row of ${table.schema}.${table.table} (${r.rowcount})`);
  }

  function checkAborted(): void {
    if (signal?.aborted) throw new AbortedError();
  }

  const status = (): Promise<SeedStatusEntry[]> => seedStatus(config, client, signal);

  return { run, status };
}

/**
 * Every seed's plan, planned at once: they only read (files, tracking rows, tables), and one after another
 * they cost a few round trips per seed before the first row. When planning throws (an unreadable file, no
 * answer), the error of the first such seed in name order is thrown, whatever finished first.
 */
async function planAll(seeds: readonly SeedFile[], plan: (seed: SeedFile) => Promise<SeedPlan>): Promise<SeedPlan[]> {
  const plans: SeedPlan[] = [];
  for (const settled of await Promise.allSettled(seeds.map(plan))) {
    if (settled.status === 'rejected') throw settled.reason;
    plans.push(settled.value);
  }
  return plans;
}

function checkOptions(options: SeedRunOptions): void {
  if (options.mode !== undefined && !SEED_MODES.includes(options.mode)) {
    throw new UsageError(`unknown seed mode "${options.mode}"; use one of ${SEED_MODES.join(', ')}`);
  }
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new UsageError(`batchSize must be a positive integer, got ${options.batchSize}`);
  }
}

/** `books: 1 of 3 rows failed (seeds/books.yaml:12 column x: ...)`, one clause per failed seed. */
function failureSummary(results: SeedResult[]): string {
  return results.map((r) => {
    if (r.error) return `${r.name}: ${r.error.message}`;
    const first = r.failures[0];
    const at = first && (first.line !== undefined ? `${r.file}:${first.line}` : `${r.file} row ${first.row}`);
    const where = first ? ` (first: ${at}${first.column ? ` column "${first.column}"` : ''}: ${first.message})` : '';
    return `${r.name}: ${r.failed} of ${r.rows} rows failed${where}`;
  }).join('; ');
}
