import type { CrateClient, TableRef } from './client/types.js';

/** A column as information_schema.columns lists it (object sub-columns included, as `attrs['color']`). */
export interface ColumnInfo {
  name: string;
  /** CrateDB's type name: `text`, `bigint`, `text_array`, `timestamp with time zone`... */
  type: string;
  /** 1-based. */
  position: number;
  nullable: boolean;
  /** The DEFAULT expression, as CrateDB prints it; null without one. */
  default: string | null;
  /** The GENERATED ALWAYS AS expression; null for a plain column. */
  generated: string | null;
}

/** The server's version, e.g. to branch for 5.10 and 6.x. */
export interface ServerVersion {
  /** As CrateDB reports it: `6.4.3`. */
  number: string;
  major: number;
  minor: number;
  patch: number;
}

/** What a code migration can ask about the cluster before it changes anything. Reads only. */
export interface Introspection {
  /** Whether a table (not a view) exists and this user can see it. A name without a schema uses the config's. */
  tableExists(table: string | TableRef): Promise<boolean>;
  /** The table's columns in order; empty when the table does not exist (or cannot be seen). */
  columns(table: string | TableRef): Promise<ColumnInfo[]>;
  /** The version of the server that answers (`GET /`), read once. */
  serverVersion(): Promise<ServerVersion>;
}

/** `"schema.table"` or `"table"` (then in `defaultSchema`) as a `TableRef`. */
export function toTableRef(table: string | TableRef, defaultSchema: string): TableRef {
  if (typeof table !== 'string') return table;
  const dot = table.indexOf('.');
  return dot < 0 ? { schema: defaultSchema, table } : { schema: table.slice(0, dot), table: table.slice(dot + 1) };
}

/** Introspection through `client`, every query read-only (so a lost answer may be retried elsewhere). */
export function createIntrospection(client: CrateClient, defaultSchema: string): Introspection {
  let version: Promise<ServerVersion> | undefined;
  return {
    async tableExists(table) {
      const ref = toTableRef(table, defaultSchema);
      const found = await client.sql(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_type = 'BASE TABLE'",
        [ref.schema, ref.table],
        { readOnly: true },
      );
      return found.rows.length > 0;
    },
    async columns(table) {
      const ref = toTableRef(table, defaultSchema);
      const found = await client.sql(
        'SELECT column_name, data_type, ordinal_position, is_nullable, column_default, generation_expression ' +
          'FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
        [ref.schema, ref.table],
        { readOnly: true },
      );
      return found.rows.map((r) => ({
        name: String(r[0]),
        type: String(r[1]),
        position: Number(r[2]),
        // 6.x answers 'YES'/'NO', 5.10 true/false (12-introspection.json).
        nullable: r[3] === true || r[3] === 'YES',
        default: r[4] === null ? null : String(r[4]),
        generated: r[5] === null ? null : String(r[5]),
      }));
    },
    serverVersion() {
      version ??= client.ping().then(({ version: number }) => parseVersion(number));
      return version;
    },
  };
}

/** `6.4.3` (or `5.10.16-SNAPSHOT`) as numbers. */
export function parseVersion(number: string): ServerVersion {
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(number)?.slice(1) ?? []).map(Number);
  return { number, major, minor, patch };
}
