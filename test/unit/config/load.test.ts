import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type LoadConfigOptions } from '../../../src/config/load.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { ConfigError } from '../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cm-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** Loads with an explicit, empty environment unless the test gives one (vitest sets NODE_ENV=test). */
function load(options: LoadConfigOptions = {}) {
  return loadConfig({ cwd: dir, environment: {}, ...options });
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const FULL = `
defaults:
  schema: app
  migrations: ./db/migrations
  timeouts: { connect_ms: 3000 }
  placeholders: { replicas: "0-1", shards: 4 }
environments:
  development:
    servers: [http://localhost:4200, "http://127.0.0.1:4201/"]
    user: crate
  production:
    url: https://crate.example.com:4200
    user: migrator
    password: \${CRATE_PASSWORD}
    tls: { verify: true }
    history_table: ops.migration_history
    seeds_table: seed_runs
    lock_table: ops.lock
    seeds: ../shared-seeds
    placeholders: { replicas: "1" }
    timeouts: { request_ms: 120000 }
    batch_size: 5000
    lock: { lease_ms: 60000, wait_ms: 300000 }
`;

describe('loadConfig without a file', () => {
  it('returns the defaults for the working directory', async () => {
    const config = await load();
    expect(config).toEqual({ ...defaultConfig(undefined, dir), env: 'development' });
    expect(config.file).toBeUndefined();
  });

  it('is an error when a named file is missing', async () => {
    const err = await configError(load({ configPath: 'nope.yaml' }));
    expect(err.code).toBe('CM_CONFIG');
    expect(err.file).toBe(path.join(dir, 'nope.yaml'));
  });
});

describe('environments', () => {
  it('loads the selected environment with defaults merged under it', async () => {
    const file = await write('crate.config.yaml', FULL);
    const config = await load({ env: 'production', environment: { CRATE_PASSWORD: 's3cret' } });
    expect(config).toEqual({
      env: 'production',
      file,
      rootDir: dir,
      servers: ['https://crate.example.com:4200'],
      auth: { user: 'migrator', password: 's3cret' },
      tls: { rejectUnauthorized: true },
      schema: 'app',
      historyTable: { schema: 'ops', table: 'migration_history' },
      seedsTable: { schema: 'cratedb_migrate', table: 'seed_runs' },
      lockTable: { schema: 'ops', table: 'lock' },
      migrationsDir: path.join(dir, 'db/migrations'),
      seedsDir: path.resolve(dir, '../shared-seeds'),
      placeholders: { replicas: '1', shards: '4' },
      connectTimeoutMs: 3000,
      requestTimeoutMs: 120000,
      batchSize: 5000,
      lock: { leaseMs: 60000, waitMs: 300000 },
    });
  });

  it('picks the environment from env, then CRATE_ENV, then NODE_ENV, then development', async () => {
    await write('crate.config.yaml', 'environments:\n  development: {}\n  test: {}\n  staging: {}\n  production: {}\n');
    expect((await load()).env).toBe('development');
    expect((await load({ environment: { NODE_ENV: 'test' } })).env).toBe('test');
    expect((await load({ environment: { NODE_ENV: 'test', CRATE_ENV: 'staging' } })).env).toBe('staging');
    expect((await load({ env: 'production', environment: { NODE_ENV: 'test', CRATE_ENV: 'staging' } })).env).toBe('production');
  });

  it('reports a missing environment with the ones that exist', async () => {
    await write('crate.config.yaml', 'environments:\n  development: {}\n  production: {}\n');
    const err = await configError(load({ env: 'qa' }));
    expect(err).toMatchObject({ keyPath: 'environments', file: 'crate.config.yaml', line: 1 });
    expect(err.message).toContain('development, production');
  });

  it('accepts an empty environment (all defaults)', async () => {
    await write('crate.config.yaml', 'environments:\n  test:\n');
    const config = await load({ env: 'test' });
    expect(config.servers).toEqual(['http://localhost:4200']);
    expect(config.env).toBe('test');
  });

  it('does not need the variables of other environments', async () => {
    await write('crate.config.yaml', FULL);
    const config = await load({ env: 'development' });
    expect(config.servers).toEqual(['http://localhost:4200', 'http://127.0.0.1:4201']);
    expect(config.auth).toEqual({ user: 'crate' });
  });

  it('finds crate.config.yml too, and a config named explicitly, relative to cwd', async () => {
    await write('crate.config.yml', 'environments:\n  development: { schema: yml }\n');
    expect((await load()).schema).toBe('yml');
    const other = await write('conf/other.yaml', 'environments:\n  development: { schema: other, migrations: m }\n');
    const config = await load({ configPath: 'conf/other.yaml' });
    expect(config).toMatchObject({ schema: 'other', file: other, rootDir: path.join(dir, 'conf') });
    expect(config.migrationsDir).toBe(path.join(dir, 'conf/m'));
  });

  it('lets an environment replace the whole credential and server groups of defaults', async () => {
    await write(
      'crate.config.yaml',
      [
        'defaults:',
        '  servers: [http://a:4200, http://b:4200]',
        '  user: crate',
        '  password: defaultpw',
        'environments:',
        '  development: {}',
        '  ci:',
        '    url: http://ci:4200',
        '    jwt: eyJ.token',
      ].join('\n'),
    );
    expect(await load()).toMatchObject({ servers: ['http://a:4200', 'http://b:4200'], auth: { user: 'crate', password: 'defaultpw' } });
    const ci = await load({ env: 'ci' });
    expect(ci.servers).toEqual(['http://ci:4200']);
    expect(ci.auth).toEqual({ jwt: 'eyJ.token' });
  });

  it('shares blocks through YAML anchors and merge keys', async () => {
    await write(
      'crate.config.yaml',
      'environments:\n  base: &base\n    schema: shared\n    batch_size: 10\n  test:\n    <<: *base\n    batch_size: 20\n',
    );
    expect(await load({ env: 'test' })).toMatchObject({ schema: 'shared', batchSize: 20 });
  });
});

describe('interpolation in the file', () => {
  it('fills ${VAR} and ${VAR:-default}, keeps $${ literal, and converts numbers and booleans', async () => {
    await write(
      'crate.config.yaml',
      [
        'environments:',
        '  development:',
        '    url: http://${CRATE_HOST:-localhost}:${CRATE_PORT:-4200}',
        '    user: ${CRATE_USER}',
        '    password: ${CRATE_PASSWORD:-}',
        '    batch_size: ${BATCH:-250}',
        '    tls: { verify: "${VERIFY:-true}" }',
        '    placeholders: { literal: "$${not_a_var}", mixed: "a-${CRATE_USER}-b" }',
      ].join('\n'),
    );
    const config = await load({ environment: { CRATE_USER: 'migrator', CRATE_PORT: '4300', VERIFY: 'false' } });
    expect(config.servers).toEqual(['http://localhost:4300']);
    expect(config.auth).toEqual({ user: 'migrator' });
    expect(config.batchSize).toBe(250);
    expect(config.tls.rejectUnauthorized).toBe(false);
    expect(config.placeholders).toEqual({ literal: '${not_a_var}', mixed: 'a-migrator-b' });
  });

  it('reports a missing variable with its key and line', async () => {
    await write('crate.config.yaml', 'environments:\n  production:\n    user: migrator\n    password: ${CRATE_PASSWORD}\n');
    const err = await configError(load({ env: 'production' }));
    expect(err).toMatchObject({
      code: 'CM_CONFIG',
      keyPath: 'environments.production.password',
      file: 'crate.config.yaml',
      line: 4,
    });
    expect(err.message).toContain('CRATE_PASSWORD');
  });

  it('reports an unclosed ${', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    schema: "${APP_SCHEMA"\n');
    const err = await configError(load());
    expect(err).toMatchObject({ keyPath: 'environments.development.schema', line: 3 });
  });
});

describe('validation', () => {
  it('collects every problem with key path and line', async () => {
    await write(
      'crate.config.yaml',
      [
        'environments:', //                               1
        '  production:', //                               2
        '    servers:', //                                3
        '      - https://a.example.com:4200', //           4
        '      - ftp://b.example.com', //                  5
        '    histroy_table: x.y', //                       6
        '    timeouts:', //                               7
        '      connect_ms: soon', //                       8
        '      request: 5', //                             9
        '    tls: { verify: maybe }', //                  10
        '  staging:', //                                  11
        '    batchSize: 10', //                           12
      ].join('\n'),
    );
    const err = await configError(load({ env: 'production' }));
    const found = err.problems.map((p) => [p.keyPath, p.line]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['environments.production.servers[1]', 5],
        ['environments.production.histroy_table', 6],
        ['environments.production.timeouts.connect_ms', 8],
        ['environments.production.timeouts.request', 9],
        ['environments.production.tls.verify', 10],
        ['environments.staging.batchSize', 12],
      ]),
    );
    expect(err.problems).toHaveLength(6);
    expect(err.problems.every((p) => p.file === 'crate.config.yaml')).toBe(true);
    expect(err.problems.find((p) => p.keyPath.endsWith('histroy_table'))!.message).toContain("did you mean 'history_table'");
    expect(err.problems.find((p) => p.keyPath.endsWith('batchSize'))!.message).toContain("did you mean 'batch_size'");
    expect(err.problems.find((p) => p.keyPath.endsWith('timeouts.request'))!.message).toContain("'request_ms'");
    // The first problem is also on the error itself.
    expect(err).toMatchObject({ keyPath: err.problems[0]!.keyPath, line: err.problems[0]!.line });
    expect(err.exitCode).toBe(2);
  });

  it('reports every unknown key of one mapping, each at its own line', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    histroy_table: a.b\n    shcema: doc\n    lock: { lease: 5, wait: 9 }\n');
    const err = await configError(load());
    expect(err.problems.map((p) => [p.keyPath, p.line, p.message])).toEqual([
      ['environments.development.histroy_table', 3, "unknown key 'histroy_table'; did you mean 'history_table'?"],
      ['environments.development.shcema', 4, "unknown key 'shcema'; did you mean 'schema'?"],
      ['environments.development.lock.lease', 5, "unknown key 'lease'; did you mean 'lease_ms'?"],
      ['environments.development.lock.wait', 5, "unknown key 'wait'; did you mean 'wait_ms'?"],
    ]);
  });

  it('rejects unknown top-level keys and a file without environments', async () => {
    await write('crate.config.yaml', 'environment:\n  development: {}\n');
    const err = await configError(load());
    expect(err.problems.map((p) => p.keyPath)).toEqual(expect.arrayContaining(['environment', 'environments']));
    expect(err.problems.find((p) => p.keyPath === 'environment')!.message).toContain("did you mean 'environments'");
  });

  it('reports YAML syntax errors with their line', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    schema: [unclosed\n    user: crate\n');
    const err = await configError(load());
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toContain('YAML syntax error');
  });

  it('rejects url and servers together, jwt with a user, a password without a user', async () => {
    await write(
      'crate.config.yaml',
      [
        'environments:',
        '  a: { url: "http://x:4200", servers: ["http://y:4200"] }',
        '  b: { jwt: tok, user: crate }',
        '  c: { password: pw }',
      ].join('\n'),
    );
    expect((await configError(load({ env: 'a' }))).keyPath).toBe('environments.a.servers');
    expect((await configError(load({ env: 'b' }))).keyPath).toBe('environments.b.jwt');
    expect((await configError(load({ env: 'c' }))).keyPath).toBe('environments.c.password');
  });

  it('rejects bad table and schema names', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    schema: "my schema"\n    history_table: a.b.c\n');
    const err = await configError(load());
    expect(err.problems.map((p) => [p.keyPath, p.line])).toEqual([
      ['environments.development.schema', 3],
      ['environments.development.history_table', 4],
    ]);
  });

  it('points at defaults when the bad value is there', async () => {
    await write('crate.config.yaml', 'defaults:\n  batch_size: -5\nenvironments:\n  development: {}\n');
    const err = await configError(load());
    expect(err).toMatchObject({ keyPath: 'defaults.batch_size', line: 2 });
  });
});

describe('TLS files', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

  it('reads ca, cert and key relative to the config file', async () => {
    await write('conf/certs/ca.pem', PEM);
    await write('conf/certs/client.pem', PEM);
    await write('conf/certs/client-key.pem', '-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n');
    await write(
      'conf/crate.config.yaml',
      'environments:\n  development:\n    tls: { ca: certs/ca.pem, cert: ./certs/client.pem, key: certs/client-key.pem }\n',
    );
    const config = await load({ configPath: 'conf/crate.config.yaml' });
    expect(config.tls).toEqual({
      rejectUnauthorized: true,
      ca: PEM,
      cert: PEM,
      key: '-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n',
    });
  });

  it('reports a missing or non-PEM file at its key', async () => {
    await write('not-pem.txt', 'hello');
    await write('crate.config.yaml', 'defaults:\n  tls:\n    ca: missing.pem\nenvironments:\n  development:\n    tls: { cert: not-pem.txt, key: not-pem.txt }\n');
    const err = await configError(load());
    expect(err.problems.map((p) => [p.keyPath, p.line])).toEqual([
      ['defaults.tls.ca', 3],
      ['environments.development.tls.cert', 6],
      ['environments.development.tls.key', 6],
    ]);
  });

  it('needs cert and key together', async () => {
    await write('c.pem', PEM);
    await write('crate.config.yaml', 'environments:\n  development:\n    tls: { cert: c.pem }\n');
    expect((await configError(load())).keyPath).toBe('environments.development.tls');
  });
});

describe('CRATEDB_URL and overrides', () => {
  it('CRATEDB_URL replaces the servers; its credentials become Basic auth and leave the URL', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    url: http://file:4200\n    user: fileuser\n');
    const config = await load({
      environment: { CRATEDB_URL: 'https://migrator:p%40ss@db1:4200, https://migrator:p%40ss@db2:4200/' },
    });
    expect(config.servers).toEqual(['https://db1:4200', 'https://db2:4200']);
    expect(config.auth).toEqual({ user: 'migrator', password: 'p@ss' });
    expect(JSON.stringify(config.servers)).not.toContain('p%40ss');
  });

  it('CRATEDB_URL without credentials keeps the file credentials, and works without a file', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    user: fileuser\n');
    expect(await load({ environment: { CRATEDB_URL: 'http://x:4200' } })).toMatchObject({
      servers: ['http://x:4200'],
      auth: { user: 'fileuser' },
    });
    await rm(path.join(dir, 'crate.config.yaml'));
    expect((await load({ environment: { CRATEDB_URL: 'http://y:4200' } })).servers).toEqual(['http://y:4200']);
  });

  it('a bad CRATEDB_URL is a ConfigError that does not echo the password', async () => {
    const err = await configError(load({ environment: { CRATEDB_URL: 'ftp://u:topsecret@host' } }));
    expect(err.keyPath).toBe('CRATEDB_URL[0]');
    expect(err.message).not.toContain('topsecret');
  });

  it('refuses URLs that carry different credentials', async () => {
    const err = await configError(load({ environment: { CRATEDB_URL: 'http://a:1@h1:4200,http://b:2@h2:4200' } }));
    expect(err.keyPath).toBe('CRATEDB_URL');
  });

  it('flags override CRATEDB_URL and the file', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    user: fileuser\n    password: filepw\n    schema: fileschema\n');
    const config = await load({
      environment: { CRATEDB_URL: 'http://envhost:4200' },
      overrides: {
        url: ['http://flaghost:4200'],
        user: 'flaguser',
        password: 'flagpw',
        schema: 'flagschema',
        migrationsDir: 'm',
        seedsDir: '/abs/seeds',
        historyTable: 'audit.history',
      },
    });
    expect(config).toMatchObject({
      servers: ['http://flaghost:4200'],
      auth: { user: 'flaguser', password: 'flagpw' },
      schema: 'flagschema',
      migrationsDir: path.join(dir, 'm'),
      seedsDir: '/abs/seeds',
      historyTable: { schema: 'audit', table: 'history' },
    });
  });

  it('--user keeps the file password only for the same user; --password alone replaces it', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    user: migrator\n    password: filepw\n');
    expect((await load({ overrides: { user: 'migrator' } })).auth).toEqual({ user: 'migrator', password: 'filepw' });
    expect((await load({ overrides: { user: 'other' } })).auth).toEqual({ user: 'other' });
    expect((await load({ overrides: { password: 'newpw' } })).auth).toEqual({ user: 'migrator', password: 'newpw' });
  });

  it('rejects bad flag values', async () => {
    expect((await configError(load({ overrides: { url: ['localhost:4200'] } }))).keyPath).toBe('--url[0]');
    expect((await configError(load({ overrides: { historyTable: 'a.b.c' } }))).keyPath).toBe('--history-table');
  });

  it('takes credentials from a URL in the file, never keeping them in servers', async () => {
    await write('crate.config.yaml', 'environments:\n  development:\n    url: ${DATABASE_URL}\n');
    const config = await load({ environment: { DATABASE_URL: 'http://svc:pw@crate:4200' } });
    expect(config.servers).toEqual(['http://crate:4200']);
    expect(config.auth).toEqual({ user: 'svc', password: 'pw' });
  });
});
