import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../src/config/interpolate.js';
import { didYouMean, formatKeyPath, ProblemList } from '../../../src/config/problems.js';

function run(value: unknown, environment: Record<string, string | undefined> = {}) {
  const problems = new ProblemList('crate.config.yaml', (path) => path.length);
  const out = interpolate(value, ['environments', 'dev'], environment, problems);
  return { out, problems: problems.items };
}

describe('interpolate', () => {
  it('replaces variables, defaults, and the $${ escape', () => {
    const { out, problems } = run('${A}/${B:-b-default}/${C:-}/$${A}/$$/$x', { A: 'a' });
    expect(out).toBe('a/b-default//${A}/$$/$x');
    expect(problems).toEqual([]);
  });

  it('uses the default for a variable that is set but empty, like a shell', () => {
    expect(run('${A:-fallback}', { A: '' }).out).toBe('fallback');
    expect(run('[${A}]', { A: '' }).out).toBe('[]');
  });

  it('keeps defaults that contain colons and dashes', () => {
    expect(run('${URL:-http://localhost:4200}').out).toBe('http://localhost:4200');
  });

  it('walks lists and mappings, leaves keys and non-strings alone, drops null values', () => {
    const { out } = run({ '${KEY}': '${V}', list: ['${V}', 3, true], nested: { gone: null, n: 1 } }, { V: 'v', KEY: 'k' });
    expect(out).toEqual({ '${KEY}': 'v', list: ['v', 3, true], nested: { n: 1 } });
  });

  it('names the key path of every missing variable', () => {
    const { problems } = run({ user: '${U}', servers: ['http://${H1}:4200', 'http://${H2}:4200'] });
    expect(problems.map((p) => p.keyPath)).toEqual([
      'environments.dev.user',
      'environments.dev.servers[0]',
      'environments.dev.servers[1]',
    ]);
    expect(problems[0]).toMatchObject({ file: 'crate.config.yaml', line: 3 });
    expect(problems[1]!.message).toContain('H1');
  });

  it('reports malformed references', () => {
    expect(run('${unclosed').problems).toHaveLength(1);
    expect(run('${1BAD}').problems).toHaveLength(1);
    expect(run('${A B}').problems).toHaveLength(1);
  });
});

describe('problem helpers', () => {
  it('formats key paths', () => {
    expect(formatKeyPath(['environments', 'production', 'servers', 1])).toBe('environments.production.servers[1]');
    expect(formatKeyPath([])).toBe('(top level)');
  });

  it('suggests near misses, camelCase and missing unit suffixes, but not unrelated keys', () => {
    const keys = ['history_table', 'batch_size', 'request_ms', 'servers'];
    expect(didYouMean('histroy_table', keys)).toContain('history_table');
    expect(didYouMean('batchSize', keys)).toContain('batch_size');
    expect(didYouMean('request', keys)).toContain('request_ms');
    expect(didYouMean('server', keys)).toContain('servers');
    expect(didYouMean('colour', keys)).toBe('');
  });

  it('throws all problems at once, in file order', () => {
    const problems = new ProblemList('f.yaml');
    problems.add(['b'], 'second', 9);
    problems.add(['a'], 'first', 2);
    try {
      problems.throwIfAny();
      expect.unreachable();
    } catch (err: any) {
      expect(err.code).toBe('CM_CONFIG');
      expect(err.problems.map((p: any) => p.keyPath)).toEqual(['a', 'b']);
      expect(err).toMatchObject({ keyPath: 'a', file: 'f.yaml', line: 2 });
    }
  });
});
