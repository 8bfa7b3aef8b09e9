import type { CommandSpec, OptionSpec } from './spec.js';

/** Every command's flags; kept in step with the API options they map to (options.ts, commands/). */

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** The seed modes of src/seeds/types.ts (SEED_MODES), repeated here so that help does not load the seeds code. */
export const SEED_MODE_CHOICES = ['insert', 'upsert', 'skip-existing', 'replace'] as const;
const SEED_FORMATS = ['yaml', 'json', 'ndjson', 'csv', 'ts'] as const;

/** Flags every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: { type: 'string', describe: 'Config file (default: crate.config.yaml when present)' },
  env: { type: 'string', describe: 'Environment in the config (default: $CRATE_ENV, $NODE_ENV, development)' },
  url: {
    type: 'string',
    multiple: true,
    describe: 'CrateDB server URL; repeat the flag (or separate with commas) for several. Overrides the config and $CRATEDB_URL',
  },
  user: { type: 'string', describe: 'User name (the password comes from the config or $CRATEDB_URL, never a flag)' },
  schema: { type: 'string', describe: 'Schema for unqualified names in migrations (default: doc)' },
  'migrations-dir': { type: 'string', describe: 'Migrations folder (default: migrations)' },
  'seeds-dir': { type: 'string', describe: 'Seeds folder (default: seeds)' },
  'history-table': { type: 'string', describe: 'History table as schema.table (default: cratedb_migrate.migrations)' },
  json: { type: 'boolean', default: false, describe: 'Print the result as JSON on stdout' },
  'log-level': { type: 'string', default: 'info', choices: LOG_LEVELS, describe: 'Log level (logs go to stderr; JSON unless stderr is a terminal)' },
  help: { type: 'boolean', short: 'h', describe: 'Show help' },
  version: { type: 'boolean', describe: 'Show the version number' },
};

const dryRun: OptionSpec = { type: 'boolean', default: false, describe: 'Print the statements that would run; change nothing' };
const inFlight: OptionSpec = {
  type: 'string',
  choices: ['done', 'rerun'],
  describe: 'After a crash left a statement in flight that is not safe to repeat: it was applied (done) or not (rerun)',
};

/** The flags that choose what `up` runs (and `plan` shows). */
const selection: Readonly<Record<string, OptionSpec>> = {
  to: { type: 'string', describe: 'Stop after this migration (name or version)' },
  step: { type: 'number', describe: 'Apply at most this many migrations' },
  'allow-out-of-order': { type: 'boolean', default: false, describe: 'Run pending migrations older than the newest applied one' },
  'force-checksum': { type: 'boolean', default: false, describe: 'Run although applied files changed (see validate/repair)' },
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'up',
    describe: 'Apply pending migrations',
    options: {
      ...selection,
      'in-flight': inFlight,
      'dry-run': dryRun,
    },
    conflicts: [['to', 'step']],
    load: async () => (await import('./commands/migrate.js')).up,
  },
  {
    name: 'down',
    describe: 'Revert applied migrations, newest applied first (one by default)',
    options: {
      to: { type: 'string', describe: 'Revert down to and including this migration (name or version); 0 reverts all' },
      step: { type: 'number', describe: 'Revert this many migrations' },
      'in-flight': inFlight,
      'include-baseline': { type: 'boolean', default: false, describe: 'Also revert migrations recorded by baseline (their down drops objects the tool did not create)' },
      'dry-run': dryRun,
    },
    conflicts: [['to', 'step']],
    load: async () => (await import('./commands/migrate.js')).down,
  },
  {
    name: 'status',
    describe: 'Show applied, pending, failed and changed migrations, and seeds',
    load: async () => (await import('./commands/status.js')).status,
  },
  {
    name: 'create',
    describe: 'Write a new migration file with the next version number',
    positionals: [{ name: 'name', required: true, describe: 'What it does, e.g. add-isbn' }],
    options: {
      sql: { type: 'boolean', describe: 'An SQL file with up and down sections (default)' },
      ts: { type: 'boolean', describe: 'A TypeScript module with up(ctx) and down(ctx)' },
    },
    conflicts: [['sql', 'ts']],
    load: async () => (await import('./commands/create.js')).create,
  },
  {
    name: 'check',
    describe: "Check pending migrations against CrateDB's rules and the live tables (read-only); exit 2 on an error",
    load: async () => (await import('./commands/check.js')).check,
  },
  {
    name: 'plan',
    describe: "Show what up would run: each pending migration's statements, the check's findings, its rebuilds (read-only); exit 2 on a check error",
    options: selection,
    conflicts: [['to', 'step']],
    load: async () => (await import('./commands/plan.js')).plan,
  },
  {
    name: 'baseline',
    describe: 'Record the migrations up to --to as applied without running them (a cluster that already has their tables)',
    options: { to: { type: 'string', describe: 'The last migration the cluster already has (name or version); required' } },
    load: async () => (await import('./commands/baseline.js')).baseline,
  },
  {
    name: 'validate',
    describe: 'Compare the checksums of applied migrations with their files; exit 3 on drift',
    load: async () => (await import('./commands/status.js')).validate,
  },
  {
    name: 'repair',
    describe: 'Accept the present state: realign checksums, forget vanished and failed migrations',
    load: async () => (await import('./commands/status.js')).repair,
  },
  {
    name: 'seed',
    describe: 'Run the seeds in seeds/ and seeds/<env>/ (or only the named ones)',
    positionals: [{ name: 'names', variadic: true, describe: 'Seed names (file names without extension)' }],
    options: {
      force: { type: 'boolean', default: false, describe: 'Run seeds that are unchanged since their last run' },
      'dry-run': { type: 'boolean', default: false, describe: 'Read and check every row; write nothing' },
      mode: { type: 'string', choices: SEED_MODE_CHOICES, describe: "Override every seed's mode" },
      'batch-size': { type: 'number', describe: 'Rows per bulk request (default: batch_size of the config, 5000; a request also closes at ~1 MB of values)' },
    },
    streamsRows: true,
    load: async () => (await import('./commands/seed.js')).seed,
  },
  {
    name: 'create-seed',
    describe: 'Write a new seed file template',
    positionals: [{ name: 'name', required: true, describe: 'Seed name (usually the table)' }],
    options: Object.fromEntries(
      SEED_FORMATS.map((f) => [f, { type: 'boolean', describe: `A ${f.toUpperCase()} seed${f === 'yaml' ? ' (default)' : ''}` } as OptionSpec]),
    ),
    conflicts: SEED_FORMATS.flatMap((a, i) => SEED_FORMATS.slice(i + 1).map((b) => [a, b] as const)),
    load: async () => (await import('./commands/create.js')).createSeed,
  },
];
