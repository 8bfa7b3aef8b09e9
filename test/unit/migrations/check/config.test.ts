import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/load.js';
import { ConfigError } from '../../../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cm-check-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function load(yaml: string) {
  await writeFile(path.join(dir, 'crate.config.yaml'), yaml);
  return loadConfig({ cwd: dir, environment: {}, env: 'dev' });
}

describe('the check key of the config', () => {
  it('check.qualify_names is off unless set, and an environment overrides the defaults block', async () => {
    expect((await load('environments:\n  dev: {}\n')).check).toBeUndefined();
    expect((await load('defaults:\n  check:\n    qualify_names: true\nenvironments:\n  dev: {}\n')).check).toEqual({ qualifyNames: true });
    expect((await load('defaults:\n  check:\n    qualify_names: true\nenvironments:\n  dev:\n    check:\n      qualify_names: "false"\n')).check).toEqual({ qualifyNames: false });
  });

  it('refuses an unknown key under check, naming its path', async () => {
    const err = await load('environments:\n  dev:\n    check:\n      qualify: true\n').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.keyPath).join(' ')).toContain('check');
  });
});
