import { describe, expect, it } from 'vitest';
import { ConfigError, CrateDbError, DriftError, ExitCode, UsageError } from '../../src/errors.js';

describe('error hierarchy', () => {
  it('gives each class a stable code and the documented exit code', () => {
    expect(new ConfigError('bad', 'environments.test.servers', 'crate.config.yaml', 3)).toMatchObject({
      code: 'CM_CONFIG',
      exitCode: ExitCode.usage,
      keyPath: 'environments.test.servers',
      line: 3,
      name: 'ConfigError',
    });
    expect(new UsageError('x').exitCode).toBe(2);
    expect(new DriftError('x', [{ name: '001_a', problem: 'changed' }]).exitCode).toBe(3);
    const err = new CrateDbError('DuplicateKeyException[...]', 4091, 409, 'http://a:4200', 'INSERT ...');
    expect(err).toMatchObject({ code: 'CM_CRATEDB', crateCode: 4091, httpStatus: 409, exitCode: 1 });
    expect(err).toBeInstanceOf(Error);
  });
});
