import * as v from 'valibot';
import { mappingOf, nonEmptyText as text } from '../validation.js';

/** For load.ts, which loads this module (and so valibot) only when there is something to validate. */
export { safeParse } from 'valibot';

/**
 * The valibot schema of `crate.config.yaml` (format documented in docs/config.md). Keys are snake_case, as
 * YAML files usually are. Every key of an environment is optional: defaults.ts fills what is left out.
 * Values may come from `${VAR}` interpolation, so numbers and booleans also accept their string form.
 */

function positiveInt(example: string) {
  const message = `expected a whole number, e.g. ${example}`;
  return v.pipe(
    v.unknown(),
    v.transform((x) => (typeof x === 'string' && /^\s*\d+\s*$/.test(x) ? Number(x) : x)),
    v.number(message),
    v.safeInteger(message),
    v.gtValue(0, 'must be greater than 0'),
  );
}
const millis = positiveInt('5000 (milliseconds)');

const bool = v.pipe(
  v.unknown(),
  v.transform((x) => (x === 'true' ? true : x === 'false' ? false : x)),
  v.boolean('expected true or false'),
);

/** Characters CrateDB refuses in schema and table names. */
const BAD_NAME = /[\\/*?"<>|,#.\s]/;

export const schemaName = v.pipe(
  text,
  v.check((s) => !BAD_NAME.test(s), 'is not a valid CrateDB schema name (no \\ / * ? " < > | , # . or spaces)'),
);

/** `schema.table` or `table` (then in the tracking schema `cratedb_migrate`). */
export const tableName = v.pipe(
  text,
  v.check((s) => {
    const parts = s.split('.');
    return parts.length <= 2 && parts.every((p) => p.length > 0 && !BAD_NAME.test(p));
  }, 'expected `table` or `schema.table`, without quotes, spaces or characters CrateDB refuses in names'),
);

function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

const serverUrl = v.pipe(text, v.check(isHttpUrl, 'expected an http:// or https:// URL such as http://localhost:4200'));

/**
 * A mapping with these keys only; `message` is for a required key that is missing. valibot's strictObject
 * reports the first unknown key only: the check after it adds the others, each at its own path and, like
 * strictObject's, with `expected: 'never'` (which load.ts looks for), so a block with two typos lists both.
 * `entries` as a strictObject has them.
 */
function mapping<const E extends v.ObjectEntries>(entries: E, message?: string) {
  const schema = v.pipe(
    mappingOf('expected a mapping'),
    v.strictObject(entries, message),
    v.rawCheck(({ dataset, addIssue }) => {
      const first = dataset.issues?.find((i) => i.type === 'strict_object' && i.expected === 'never' && i.path?.length === 1);
      const at = first?.path?.[0];
      if (at === undefined) return;
      const input = at.input as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (key === at.key || Object.hasOwn(entries, key)) continue;
        const path: [v.ObjectPathItem] = [{ type: 'object', origin: 'key', input, key, value: input[key] }];
        addIssue({ expected: 'never', message: `unknown key '${key}'`, path });
      }
    }),
  );
  return Object.assign(schema, { entries });
}

const TlsSchema = mapping({
  /** Verify the server certificate. @default true */
  verify: v.optional(bool),
  /** PEM files, relative to the config file. */
  ca: v.optional(text),
  cert: v.optional(text),
  key: v.optional(text),
});

const TimeoutsSchema = mapping({
  connect_ms: v.optional(millis),
  request_ms: v.optional(millis),
});

const LockSchema = mapping({
  lease_ms: v.optional(millis),
  wait_ms: v.optional(millis),
});

const placeholderValue = v.union([v.string(), v.number(), v.boolean()], 'expected a string, number or boolean');

const placeholderName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'placeholder names are letters, digits and _'));

const placeholders = v.pipe(mappingOf('expected a mapping'), v.record(placeholderName, placeholderValue));

/** One environment (or the shared `defaults:` block). A cross-field check runs unless one of its keys has the
 * wrong type, so it is reported next to other problems in the block (an unknown key, an empty list). */
export const EnvironmentSchema = v.pipe(
  mapping({
    url: v.optional(serverUrl),
    servers: v.optional(v.pipe(v.array(serverUrl, 'expected a list of URLs'), v.minLength(1, 'must list at least one URL'))),
    user: v.optional(text),
    password: v.optional(v.string('expected a string')),
    jwt: v.optional(text),
    tls: v.optional(TlsSchema),
    schema: v.optional(schemaName),
    history_table: v.optional(tableName),
    seeds_table: v.optional(tableName),
    lock_table: v.optional(tableName),
    migrations: v.optional(text),
    seeds: v.optional(text),
    placeholders: v.optional(placeholders),
    timeouts: v.optional(TimeoutsSchema),
    batch_size: v.optional(positiveInt('5000 (rows per request)')),
    lock: v.optional(LockSchema),
    check: v.optional(mapping({ qualify_names: v.optional(bool) })),
  }),
  v.forward(
    v.partialCheck(
      [['url'], ['servers']],
      (env) => env.url === undefined || env.servers === undefined,
      'give either `url` or `servers`, not both',
    ),
    ['servers'],
  ),
  v.forward(
    v.partialCheck(
      [['jwt'], ['user'], ['password']],
      (env) => env.jwt === undefined || (env.user === undefined && env.password === undefined),
      'give either `jwt` or `user`/`password`, not both',
    ),
    ['jwt'],
  ),
  v.forward(
    v.partialCheck(
      [['password'], ['user']],
      (env) => env.password === undefined || env.password === '' || env.user !== undefined,
      'a password needs a `user`',
    ),
    ['password'],
  ),
  v.forward(
    v.partialCheck(
      [['tls', 'cert'], ['tls', 'key']],
      (env) => (env.tls?.cert === undefined) === (env.tls?.key === undefined),
      'a client certificate needs both `cert` and `key`',
    ),
    ['tls'],
  ),
);

export type EnvironmentConfig = v.InferOutput<typeof EnvironmentSchema>;

/** The file as a whole. Environments are checked one by one (see load.ts), so here they are opaque. A missing
 * `environments:` gets the same message as one that is not a mapping. */
const ENVIRONMENTS = 'expected a mapping of environment names';
export const FileSchema = mapping(
  {
    defaults: v.optional(v.unknown()),
    environments: v.pipe(mappingOf(ENVIRONMENTS), v.record(v.string(), v.unknown())),
  },
  ENVIRONMENTS,
);

/** The keys allowed in the mapping at a path of an environment, for "did you mean" hints. */
export function allowedKeys(path: readonly PropertyKey[]): string[] {
  const last = path[path.length - 1];
  if (path.length === 0) return Object.keys(EnvironmentSchema.entries);
  if (last === 'tls') return Object.keys(TlsSchema.entries);
  if (last === 'timeouts') return Object.keys(TimeoutsSchema.entries);
  if (last === 'lock') return Object.keys(LockSchema.entries);
  return [];
}
