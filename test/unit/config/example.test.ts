import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

// The project's example crate.config.yaml must stay loadable: it is what users copy.
const root = path.dirname(fileURLToPath(new URL('../../../package.json', import.meta.url)));

describe('the example crate.config.yaml', () => {
  it('loads development as the local docker-compose CrateDB', async () => {
    const config = await loadConfig({ cwd: root, env: 'development', environment: {} });
    expect(config).toMatchObject({ servers: ['http://localhost:4200'], auth: { user: 'crate' }, schema: 'doc' });
    expect(config.migrationsDir).toBe(path.join(root, 'migrations'));
  });

  it('loads test with its interpolated URL', async () => {
    const config = await loadConfig({
      cwd: root,
      env: 'test',
      environment: { CRATE_TEST_HOST: 'crate.ci', CRATE_TEST_PORT: '14200' },
    });
    expect(config.servers).toEqual(['http://crate.ci:14200']);
    expect((await loadConfig({ cwd: root, env: 'test', environment: {} })).servers).toEqual(['http://localhost:4200']);
  });

  it('needs CRATE_PASSWORD for production', async () => {
    await expect(loadConfig({ cwd: root, env: 'production', environment: {} })).rejects.toMatchObject({
      code: 'CM_CONFIG',
      keyPath: 'environments.production.password',
    });
    const config = await loadConfig({ cwd: root, env: 'production', environment: { CRATE_PASSWORD: 'pw' } });
    expect(config.servers).toHaveLength(3);
    expect(config.auth).toEqual({ user: 'migrator', password: 'pw' });
    expect(config.tls.rejectUnauthorized).toBe(true);
  });
});
