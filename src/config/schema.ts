import { z } from 'zod';

/**
 * The zod schema of `crate.config.yaml` (format documented in docs/config.md). Keys are snake_case, as
 * YAML files usually are. Every key of an environment is optional: defaults.ts fills what is left out.
 * Values may come from `${VAR}` interpolation, so numbers and booleans also accept their string form.
 */

function positiveInt(example: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: `expected a whole number, e.g. ${example}` })
      .int(`expected a whole number, e.g. ${example}`)
      .positive('must be greater than 0'),
  );
}
const millis = positiveInt('5000 (milliseconds)');

const bool = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z.boolean({ error: 'expected true or false' }),
);

const text = z.string({ error: 'expected a string' }).min(1, 'must not be empty');

/** Characters CrateDB refuses in schema and table names. */
const BAD_NAME = /[\\/*?"<>|,#.\s]/;

export const schemaName = text.refine((s) => !BAD_NAME.test(s), 'is not a valid CrateDB schema name (no \\ / * ? " < > | , # . or spaces)');

/** `schema.table` or `table` (then in the tracking schema `cratedb_migrate`). */
export const tableName = text.refine((s) => {
  const parts = s.split('.');
  return parts.length <= 2 && parts.every((p) => p.length > 0 && !BAD_NAME.test(p));
}, 'expected `table` or `schema.table`, without quotes, spaces or characters CrateDB refuses in names');

function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

const serverUrl = text.refine(isHttpUrl, 'expected an http:// or https:// URL such as http://localhost:4200');

const TlsSchema = z.strictObject({
  /** Verify the server certificate. @default true */
  verify: bool.optional(),
  /** PEM files, relative to the config file. */
  ca: text.optional(),
  cert: text.optional(),
  key: text.optional(),
});

const TimeoutsSchema = z.strictObject({
  connect_ms: millis.optional(),
  request_ms: millis.optional(),
});

const LockSchema = z.strictObject({
  lease_ms: millis.optional(),
  wait_ms: millis.optional(),
});

const placeholderValue = z.union([z.string(), z.number(), z.boolean()], {
  error: 'expected a string, number or boolean',
});

/** One environment (or the shared `defaults:` block). */
export const EnvironmentSchema = z
  .strictObject({
    url: serverUrl.optional(),
    servers: z.array(serverUrl).min(1, 'must list at least one URL').optional(),
    user: text.optional(),
    password: z.string({ error: 'expected a string' }).optional(),
    jwt: text.optional(),
    tls: TlsSchema.optional(),
    schema: schemaName.optional(),
    history_table: tableName.optional(),
    seeds_table: tableName.optional(),
    lock_table: tableName.optional(),
    migrations: text.optional(),
    seeds: text.optional(),
    placeholders: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'placeholder names are letters, digits and _'), placeholderValue)
      .optional(),
    timeouts: TimeoutsSchema.optional(),
    batch_size: positiveInt('5000 (rows per request)').optional(),
    lock: LockSchema.optional(),
    check: z.strictObject({ qualify_names: bool.optional() }).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.url !== undefined && env.servers !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['servers'], message: 'give either `url` or `servers`, not both' });
    }
    if (env.jwt !== undefined && (env.user !== undefined || env.password !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['jwt'], message: 'give either `jwt` or `user`/`password`, not both' });
    }
    if (env.password !== undefined && env.password !== '' && env.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'a password needs a `user`' });
    }
    if ((env.tls?.cert === undefined) !== (env.tls?.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'a client certificate needs both `cert` and `key`' });
    }
  });

export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;

/** The file as a whole. Environments are checked one by one (see load.ts), so here they are opaque. */
export const FileSchema = z.strictObject({
  defaults: z.unknown().optional(),
  environments: z.record(z.string(), z.unknown(), { error: 'expected a mapping of environment names' }),
});

/** The keys allowed in the mapping at a path of an environment, for "did you mean" hints. */
export function allowedKeys(path: readonly PropertyKey[]): string[] {
  const last = path[path.length - 1];
  if (path.length === 0) return Object.keys(EnvironmentSchema.shape);
  if (last === 'tls') return Object.keys(TlsSchema.shape);
  if (last === 'timeouts') return Object.keys(TimeoutsSchema.shape);
  if (last === 'lock') return Object.keys(LockSchema.shape);
  return [];
}
