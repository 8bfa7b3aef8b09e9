import type { MigrationContext } from '../../context.js';
import type { SeedHeader } from '../header.js';

/** One row as a seed source yields it, before type conversion. */
export interface SourceRow {
  /** 1-based position among the seed's data rows. */
  row: number;
  /** 1-based line in the file (absent for code seeds). */
  line?: number;
  /** Column name to value; absent when the row could not be read at all (`problem` says why). */
  values?: Record<string, unknown>;
  problem?: string;
}

/** An opened seed file of any format: its header now, its rows as a stream when asked. */
export interface SeedSource {
  header: SeedHeader;
  /** Whether `rows()` yields anything (false for a code seed that only has `run`). */
  hasRows: boolean;
  /** The row count when it is cheap to know (YAML/JSON are parsed whole; NDJSON counts newlines). */
  countRows(): Promise<number | undefined>;
  /** The rows in order, a chunk at a time (never an empty one): an NDJSON file's come ~500 to a chunk,
   * as they are read, because each step of an async iteration costs a few promises, which per row were
   * more garbage than the row. CSV and code seeds, whose rows come one by one, yield one a chunk. */
  rows(ctx: MigrationContext): AsyncIterable<readonly SourceRow[]>;
  /** A code seed's `run(ctx)`. */
  run?(ctx: MigrationContext): Promise<void>;
}
