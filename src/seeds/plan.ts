import { qualifiedName } from '../client/identifiers.js';
import type { CrateClient, TableRef } from '../client/types.js';
import type { ResolvedConfig } from '../config/types.js';
import { checksumOf, displayPath, type SeedFile } from './discover.js';
import type { SeedSource } from './formats/source.js';
import { openSeed } from './open.js';
import { missingMigrations } from './requires.js';
import { readTableInfo, type TableInfo } from './table-info.js';
import type { SeedTracking } from './tracking.js';
import type { SeedMode, SeedResult, SeedRunOptions } from './types.js';

/** A seed about to run: opened, its table read, every check that needs no write done. */
export interface SeedPlan {
  seed: SeedFile;
  result: SeedResult;
  /** Absent when the seed is skipped (checksum unchanged). */
  source?: SeedSource;
  table?: TableInfo;
  /** Conflict key: the table's primary key. */
  key: string[];
  /** Key columns every row must give a value for (those without a DEFAULT or generation). */
  requiredKey: string[];
  batchSize: number;
  /** The file's checksum, in `result.checksum` once known: a seed that runs has its rows written while it
   * is worked out (see planSeed), so the seeder awaits this before it records the run. */
  checksum: Promise<string>;
}

export interface PlanContext {
  client: CrateClient;
  config: ResolvedConfig;
  tracking: SeedTracking;
  signal?: AbortSignal;
  /** A table's columns and key (`tableReader`). */
  readTable(ref: TableRef): Promise<TableInfo>;
}

/** `readTableInfo` once per table for one run's plans: seeds of the same table, planned at once, would
 * otherwise each send the same two information_schema reads at the same moment. */
export function tableReader(client: CrateClient, signal?: AbortSignal): PlanContext['readTable'] {
  const tables = new Map<string, Promise<TableInfo>>();
  return (ref) => {
    const name = qualifiedName(ref);
    let info = tables.get(name);
    if (info === undefined) tables.set(name, (info = readTableInfo(client, ref, signal)));
    return info;
  };
}

/**
 * Reads everything a seed needs before anything is written: checksum and tracking record (skip when
 * unchanged), header, required migrations, table columns and primary key. Problems land in `result.error`
 * (status `failed`); a real run refuses to start when any seed has one, a dry run reports them.
 */
export async function planSeed(seed: SeedFile, options: SeedRunOptions, ctx: PlanContext): Promise<SeedPlan> {
  const plan = await checkedPlan(seed, options, ctx);
  // A seed that will run learns its checksum while its rows are written (the seeder awaits it); any other
  // plan is reported now, with it.
  if (plan.result.status !== 'pending') plan.result.checksum = await plan.checksum;
  return plan;
}

async function checkedPlan(seed: SeedFile, options: SeedRunOptions, ctx: PlanContext): Promise<SeedPlan> {
  const { client, config, tracking, signal } = ctx;
  // The file is hashed while the tracking row is on the wire (a primary-key read, by name only). Only a
  // recorded seed waits for the hash here (is it unchanged?), and a code seed (its module is imported by
  // checksum); a new or forced seed goes on, and its rows are written while the rest of the file is hashed:
  // reading 100,000 rows' worth (12 MB) took ~30 ms before the first row was sent.
  const checksum = checksumOf(seed);
  checksum.catch(() => undefined); // awaited below or by the seeder; a plan that fails first never awaits it
  const record = await tracking.get(seed.name, signal);
  const result: SeedResult = {
    name: seed.name,
    file: displayPath(config.rootDir, seed.path),
    mode: options.mode ?? 'upsert',
    status: 'pending',
    rows: 0, written: 0, unchanged: 0, skipped: 0, failed: 0,
    failures: [],
    checksum: '',
    durationMs: 0,
  };
  const plan: SeedPlan = { seed, result, key: [], requiredKey: [], batchSize: options.batchSize ?? config.batchSize, checksum };
  if (!options.force && record && record.rowsFailed === 0 && record.checksum === (await checksum)) {
    result.status = 'skipped';
    return plan;
  }
  const source = await openSeed(seed, config.rootDir, config.schema, checksum);
  const header = source.header;
  plan.source = source;
  result.mode = options.mode ?? header.mode ?? 'upsert';
  plan.batchSize = options.batchSize ?? header.batchSize ?? config.batchSize;
  const target = header.table !== undefined && source.hasRows ? header.table : undefined;
  // The table is read while the history answers (all read-only): their round trips overlap, not follow.
  const [missing, table] = await Promise.all([
    missingMigrations(client, config.historyTable, header.requires, config.auth, signal),
    target ? ctx.readTable(target) : undefined,
  ]);
  if (missing.names.length > 0) {
    result.missingRequires = missing.names;
    if (!options.dryRun) {
      const names = missing.names.map((m) => `"${m}"`).join(', ');
      return failed(plan, 'CM_SEED_REQUIRES',
        `seed "${seed.name}" requires migration ${names}, which is not applied: run the migrations first (cratedb-migrate up)` +
          (missing.hint ? `; the history table is not visible: ${missing.hint}` : ''));
    }
  }
  if (target === undefined || table === undefined) return plan;
  const name = `${target.schema}.${target.table}`;
  result.table = name;
  plan.table = table;
  if (!table.exists) {
    if (options.dryRun && missing.names.length > 0) {
      plan.key = header.key ?? [];
      plan.requiredKey = plan.key;
      return plan; // its migration will create it: validate against the declared column types only
    }
    return failed(plan, 'CM_SEED_TABLE', `seed "${seed.name}": table ${name} does not exist (or this user cannot see it); ` +
      'create it in a migration and name that migration under requires:');
  }
  if (header.key && !sameSet(header.key, table.primaryKey)) {
    const pk = table.primaryKey.join(', ') || 'none';
    return failed(plan, 'CM_SEED_KEY', `seed "${seed.name}": key (${header.key.join(', ')}) is not the primary key (${pk}) ` +
      `of ${name}; CrateDB detects conflicts on the primary key only`);
  }
  if (table.primaryKey.length === 0 && needsKey(result.mode)) {
    return failed(plan, 'CM_SEED_KEY',
      `seed "${seed.name}": ${name} has no primary key, which mode ${result.mode} needs; use mode insert or replace`);
  }
  plan.key = table.primaryKey;
  plan.requiredKey = table.primaryKey.filter((c) => !table.filled.has(c));
  return plan;
}

function needsKey(mode: SeedMode): boolean {
  return mode === 'upsert' || mode === 'skip-existing';
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function failed(plan: SeedPlan, code: string, message: string): SeedPlan {
  plan.result.status = 'failed';
  plan.result.error = { code, message };
  return plan;
}
