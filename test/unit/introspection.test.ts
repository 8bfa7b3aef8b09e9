import { describe, expect, it } from 'vitest';
import { parseVersion, toTableRef } from '../../src/introspection.js';

describe('introspection helpers', () => {
  it('reads a version number as CrateDB reports it', () => {
    expect(parseVersion('6.4.3')).toEqual({ number: '6.4.3', major: 6, minor: 4, patch: 3 });
    expect(parseVersion('5.10.16-SNAPSHOT')).toMatchObject({ major: 5, minor: 10, patch: 16 });
  });

  it('takes a table as schema.table, a bare name in the default schema, or a TableRef', () => {
    expect(toTableRef('a.b', 'doc')).toEqual({ schema: 'a', table: 'b' });
    expect(toTableRef('b', 'doc')).toEqual({ schema: 'doc', table: 'b' });
    expect(toTableRef({ schema: 'x', table: 'y' }, 'doc')).toEqual({ schema: 'x', table: 'y' });
  });
});
