/**
 * One error hierarchy for the whole package. Callers and tests branch on `code` (stable strings),
 * never on message text; the CLI maps `exitCode` to the process exit status in one place
 * (`cli/main.ts`).
 */

/** Exit statuses the CLI documents. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Drift (an applied file changed or vanished) or a migration left in `failed`/`running` state. */
  drift: 3,
} as const;

/** Where a statement came from: shown in error messages as `file:line`. */
export interface StatementOrigin {
  /** File the statement came from, relative to the project when possible. */
  file: string;
  /** 1-based line of the statement's first token in that file. */
  line: number;
}

/** The base of every error this package throws: branch on `code`; the CLI exits with `exitCode`. */
export class CrateMigrateError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** One thing wrong in a config: the key path (`environments.production.servers[1]`), where, and what to do. */
export interface ConfigProblem {
  keyPath: string;
  file?: string;
  line?: number;
  message: string;
}

/** A config file, key or environment variable is wrong. Names the key path and, when known, file:line. */
export class ConfigError extends CrateMigrateError {
  /** Every problem found (the loader collects them all); the first is also in keyPath/file/line. */
  readonly problems: readonly ConfigProblem[];

  constructor(
    message: string,
    readonly keyPath?: string,
    readonly file?: string,
    readonly line?: number,
    options: { cause?: unknown; problems?: readonly ConfigProblem[] } = {},
  ) {
    super('CM_CONFIG', message, { cause: options.cause, exitCode: ExitCode.usage });
    this.problems =
      options.problems ?? (keyPath === undefined ? [] : [{ keyPath, message, ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) }]);
  }
}

/** Bad command-line usage or contradictory options. */
export class UsageError extends CrateMigrateError {
  constructor(message: string) {
    super('CM_USAGE', message, { exitCode: ExitCode.usage });
  }
}

/** A migration or seed file cannot be read or parsed. Nothing was sent to CrateDB. */
export class FileFormatError extends CrateMigrateError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    options: { cause?: unknown } = {},
  ) {
    super('CM_FILE', message, { ...options, exitCode: ExitCode.usage });
  }
}

/**
 * No HTTP answer from any server. `sent` tells whether a request may have reached a server
 * (a lost answer), which decides whether retrying is safe.
 */
export class ConnectionError extends CrateMigrateError {
  constructor(
    message: string,
    readonly server: string,
    readonly sent: boolean,
    options: { cause?: unknown } = {},
  ) {
    super('CM_CONNECTION', message, options);
  }
}

/** CrateDB answered with an error (`{"error":{"code","message"}}`, or a plain-text 401/403). */
export class CrateDbError extends CrateMigrateError {
  constructor(
    message: string,
    /** CrateDB's own error code, e.g. 4091; 0 when the answer carried none (plain-text auth errors). */
    readonly crateCode: number,
    readonly httpStatus: number,
    readonly server: string,
    readonly statement?: string,
    readonly origin?: StatementOrigin,
  ) {
    super('CM_CRATEDB', message);
  }
}

/** A migration failed; `result` holds what ran before it. */
export class MigrationError extends CrateMigrateError {
  constructor(
    message: string,
    readonly migration: string,
    readonly direction: 'up' | 'down',
    readonly result: unknown,
    options: { cause?: unknown } = {},
  ) {
    super('CM_MIGRATION', message, options);
  }
}

/** Applied migrations whose file changed or vanished. */
export class DriftError extends CrateMigrateError {
  constructor(
    message: string,
    readonly items: ReadonlyArray<{ name: string; problem: 'changed' | 'missing' }>,
  ) {
    super('CM_DRIFT', message, { exitCode: ExitCode.drift });
  }
}

/** The history has a migration in `failed` or `running` state that must be looked at first. */
export class FailedStateError extends CrateMigrateError {
  constructor(
    message: string,
    readonly items: ReadonlyArray<{ name: string; status: string; error?: string | null }>,
  ) {
    super('CM_FAILED_STATE', message, { exitCode: ExitCode.drift });
  }
}

/** Pending migrations older than the newest applied one, refused without `allowOutOfOrder`. */
export class OutOfOrderError extends CrateMigrateError {
  constructor(message: string, readonly names: readonly string[]) {
    super('CM_OUT_OF_ORDER', message);
  }
}

/** Another process holds the migration lock and did not release it in time. */
export class LockTimeoutError extends CrateMigrateError {
  constructor(message: string, readonly holder: string | null) {
    super('CM_LOCK_TIMEOUT', message);
  }
}

/** The check of pending migrations found statements CrateDB will refuse; `result` lists every finding
 * (`CheckResult` of `check()`). Nothing was run. */
export class CheckError extends CrateMigrateError {
  constructor(message: string, readonly result: unknown) {
    super('CM_CHECK', message, { exitCode: ExitCode.usage });
  }
}

/** A table rebuild refused to start or stopped (docs/rebuild.md). `CM_REBUILD`: bad input or a state it
 * will not touch (named in the message, with what to do); `CM_REBUILD_COUNT`: the new table has not as
 * many rows as the old one, so nothing was swapped and the new table was dropped. The live table is
 * always there. */
export class RebuildError extends CrateMigrateError {
  constructor(
    code: 'CM_REBUILD' | 'CM_REBUILD_COUNT',
    message: string,
    readonly table: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** A seed wrote some rows and failed others; `result` accounts for every row. */
export class SeedError extends CrateMigrateError {
  constructor(message: string, readonly result: unknown, options: { cause?: unknown } = {}) {
    super('CM_SEED', message, options);
  }
}

/** The caller aborted (SIGINT or an `AbortSignal`) between two statements. */
export class AbortedError extends CrateMigrateError {
  constructor(message = 'aborted') {
    super('CM_ABORTED', message);
  }
}
