/**
 * A small in-memory CrateDB for the seeder's unit tests: tables with columns and a primary key, the
 * information_schema queries the seeder sends, the migrations history and the seeds tracking table, and
 * bulk INSERTs with CrateDB's per-row answers (1 written, 0 for DO NOTHING on an existing key, -2 with a
 * 4091 error for a duplicate key) and its whole-request HTTP 400 for a value CrateDB cannot cast.
 * Anything else it is sent is an error, so a test notices statements it did not expect.
 */
import type { BulkItem, BulkResult, CrateClient, SqlResult, TableRef } from '../../../src/client/types.js';
import { CrateDbError } from '../../../src/errors.js';

export interface FakeTable {
  columns: Array<[name: string, dataType: string, extra?: { maxLength?: number; default?: string; generated?: boolean }]>;
  primaryKey: string[];
}

type Row = Record<string, unknown>;

const ok = (rowcount = 1, rows: unknown[][] = [[]], cols: string[] = []): SqlResult => ({ cols, rows, rowcount, durationMs: 0 });

function unknownRelation(name: string): CrateDbError {
  return new CrateDbError(`RelationUnknown[Relation '${name}' unknown]`, 4041, 404, 'fake');
}

export class FakeCrate implements CrateClient {
  readonly tables = new Map<string, FakeTable & { rows: Map<string, Row> }>();
  /** Migration name -> status, or undefined: no history table at all. */
  history: Map<string, string> | undefined;
  tracking: Map<string, unknown[]> | undefined;
  readonly refreshed: string[] = [];
  readonly statements: string[] = [];
  readonly bulkSizes: number[] = [];
  /** Values CrateDB cannot cast: a bulk request holding one fails whole with HTTP 400. */
  readonly uncastable = new Set<unknown>();
  /** Rewrites the per-row answers of a bulk request (e.g. to drop error details as CrateDB does after 10). */
  rewriteResults?: (items: BulkItem[]) => BulkItem[];
  /** Makes the next bulk request fail without an answer. */
  failNextBulk?: Error;
  /** Milliseconds each bulk request takes, to let requests overlap. */
  bulkDelayMs = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly historyTable = '"cratedb_migrate"."migrations"', private readonly seedsTable = '"cratedb_migrate"."seeds"') {}

  addTable(ref: TableRef, table: FakeTable): void {
    this.tables.set(key(ref), { ...table, rows: new Map() });
  }

  rowsOf(ref: TableRef): Row[] {
    return [...(this.tables.get(key(ref))?.rows.values() ?? [])];
  }

  async sql(stmt: string, args: readonly unknown[] = []): Promise<SqlResult> {
    this.statements.push(stmt);
    if (stmt.includes('information_schema.columns')) {
      const t = this.tables.get(key({ schema: String(args[0]), table: String(args[1]) }));
      return ok(0, t ? t.columns.map(([name, type, x]) => [name, type, x?.maxLength ?? null, x?.default ?? null, x?.generated ? 'ALWAYS' : 'NEVER']) : []);
    }
    if (stmt.includes('information_schema.key_column_usage')) {
      const t = this.tables.get(key({ schema: String(args[0]), table: String(args[1]) }));
      return ok(0, (t?.primaryKey ?? []).map((c) => [c]));
    }
    if (stmt.startsWith(`SELECT name, status FROM ${this.historyTable} WHERE name = ?`)) {
      if (!this.history) throw unknownRelation(this.historyTable);
      // One `name = ?` per argument, joined by OR: the whole-key lookup requires.ts sends.
      if (stmt.split('name = ?').length - 1 !== args.length) throw new Error(`placeholders do not match the args: ${stmt}`);
      const rows = args.flatMap((name) => (this.history!.has(String(name)) ? [[name, this.history!.get(String(name))]] : []));
      return ok(rows.length, rows);
    }
    if (stmt.startsWith(`CREATE TABLE IF NOT EXISTS ${this.seedsTable}`)) {
      const created = this.tracking === undefined;
      this.tracking ??= new Map();
      return ok(created ? 1 : 0);
    }
    if (stmt.includes(`FROM ${this.seedsTable}`)) {
      if (!this.tracking) throw unknownRelation(this.seedsTable);
      if (stmt.includes('WHERE name = ?')) {
        const row = this.tracking.get(String(args[0]));
        return ok(row ? 1 : 0, row ? [row] : []);
      }
      return ok(this.tracking.size, [...this.tracking.values()]);
    }
    if (stmt.startsWith(`INSERT INTO ${this.seedsTable}`)) {
      if (!this.tracking) throw unknownRelation(this.seedsTable);
      this.tracking.set(String(args[0]), [...args]);
      return ok(1);
    }
    const del = /^DELETE FROM ("[^"]+"\."[^"]+")$/.exec(stmt);
    if (del) {
      const t = this.tables.get(del[1]!);
      if (!t) throw unknownRelation(del[1]!);
      const n = t.rows.size;
      t.rows.clear();
      return ok(n);
    }
    throw new Error(`fake CrateDB: unexpected statement ${stmt}`);
  }

  async bulk(stmt: string, bulkArgs: readonly (readonly unknown[])[]): Promise<BulkResult> {
    this.statements.push(stmt);
    this.bulkSizes.push(bulkArgs.length);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.bulkDelayMs > 0) await new Promise((r) => setTimeout(r, this.bulkDelayMs));
      if (this.failNextBulk) {
        const err = this.failNextBulk;
        this.failNextBulk = undefined;
        throw err;
      }
      const m = /^INSERT INTO ("[^"]+"\."[^"]+") \(([^)]*)\) VALUES \([^)]*\)(?: ON CONFLICT \([^)]*\) (DO NOTHING|DO UPDATE SET .*))?$/.exec(stmt);
      if (!m) throw new Error(`fake CrateDB: unexpected bulk statement ${stmt}`);
      const table = this.tables.get(m[1]!);
      if (!table) throw unknownRelation(m[1]!);
      const columns = m[2]!.split(', ').map((c) => c.slice(1, -1));
      const bad = bulkArgs.flat().find((v) => this.uncastable.has(v));
      if (bad !== undefined) {
        throw new CrateDbError(`SQLParseException[Cannot cast value \`${String(bad)}\` to type \`integer\`]`, 4000, 400, 'fake', stmt);
      }
      let items: BulkItem[] = bulkArgs.map((values) => {
        const row: Row = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
        const id = JSON.stringify(table.primaryKey.map((k) => row[k]));
        const existing = table.rows.get(id);
        if (existing === undefined || table.primaryKey.length === 0) {
          table.rows.set(table.primaryKey.length === 0 ? `${table.rows.size}` : id, row);
          return { rowcount: 1 };
        }
        if (m[3] === undefined) {
          return { rowcount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } };
        }
        if (m[3] === 'DO NOTHING') return { rowcount: 0 };
        table.rows.set(id, { ...existing, ...row });
        return { rowcount: 1 };
      });
      if (this.rewriteResults) items = this.rewriteResults(items);
      return { results: items, durationMs: 0 };
    } finally {
      this.inFlight--;
    }
  }

  async refresh(tables: readonly TableRef[]): Promise<void> {
    for (const t of tables) this.refreshed.push(key(t));
  }

  async ping() {
    return { server: 'fake', version: '6.4.3' };
  }

  async close() {}
}

function key(ref: TableRef): string {
  return `"${ref.schema}"."${ref.table}"`;
}
