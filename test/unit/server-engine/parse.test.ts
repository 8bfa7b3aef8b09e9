import { describe, expect, it } from 'vitest';
import { CrateError } from '../../server/engine/errors.js';
import { parseStatement } from '../../server/engine/parse.js';

function syntaxError(text: string, version: '6.4' | '5.10'): CrateError {
  try {
    parseStatement(text, version);
  } catch (e) {
    if (e instanceof CrateError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail`);
}

/** The part of a syntax error message the conformance replay compares. */
const head = (e: CrateError): string => e.message.slice(0, e.message.indexOf('expecting'));

describe('syntax errors as CrateDB reports them', () => {
  it('names the exception by version', () => {
    expect(head(syntaxError('SELEC 1', '6.4'))).toBe("ParsingException[line 1:1: mismatched input 'SELEC' ");
    expect(head(syntaxError('SELEC 1', '5.10'))).toBe("SQLParseException[line 1:1: mismatched input 'SELEC' ");
    expect(syntaxError('SELEC 1', '6.4').code).toBe(4000);
    expect(syntaxError('SELEC 1', '6.4').status).toBe(400);
  });

  it('reports a lone unknown first word as extraneous on 6.4 (its statement is optional)', () => {
    expect(head(syntaxError('ROLLBACK', '6.4'))).toBe("ParsingException[line 1:1: extraneous input 'ROLLBACK' ");
    expect(syntaxError('ROLLBACK', '6.4').message).toContain("expecting {<EOF>, 'SELECT'");
    expect(head(syntaxError('ROLLBACK', '5.10'))).toBe("SQLParseException[line 1:1: mismatched input 'ROLLBACK' ");
  });

  it('rejects a second statement in the same request', () => {
    expect(syntaxError('SELECT 1; SELECT 2', '6.4').message).toBe("ParsingException[line 1:11: mismatched input 'SELECT' expecting <EOF>]");
  });

  it('accepts a comment-only request on 6.4 and not on 5.10', () => {
    expect(parseStatement('-- nothing here', '6.4')).toEqual({ kind: 'empty' });
    expect(head(syntaxError('-- nothing here', '5.10'))).toBe("SQLParseException[line 1:16: mismatched input '<EOF>' ");
  });

  it('counts lines and columns from 1', () => {
    expect(syntaxError('SELECT 1\nFROM t WHERE', '6.4').message).toBe("ParsingException[line 2:13: no viable alternative at input 'SELECT 1\\nFROM t WHERE']");
  });
});

describe('6.2+ statements the bundled grammar lacks', () => {
  it('recognizes CREATE SCHEMA and DROP SCHEMA on 6.4 only', () => {
    expect(parseStatement('CREATE SCHEMA IF NOT EXISTS s1', '6.4')).toEqual({ kind: 'extra', extra: { kind: 'createSchema', name: 's1', ifNotExists: true } });
    expect(parseStatement('DROP SCHEMA a, "B" CASCADE', '6.4')).toEqual({
      kind: 'extra',
      extra: { kind: 'dropSchema', names: ['a', 'B'], ifExists: false, cascade: true },
    });
    expect(syntaxError('CREATE SCHEMA s1', '5.10').message).toBe("SQLParseException[line 1:8: no viable alternative at input 'CREATE SCHEMA']");
  });

  it('reports ALTER COLUMN without DEFAULT the way 6.4 does', () => {
    expect(syntaxError('ALTER TABLE books ALTER COLUMN author SET DATA TYPE INTEGER', '6.4').message).toBe(
      "ParsingException[line 1:43: missing 'DEFAULT' at 'DATA']",
    );
    const ok = parseStatement("ALTER TABLE books ALTER COLUMN author SET DEFAULT 'x'", '6.4');
    expect(ok.kind === 'extra' && ok.extra.kind === 'alterColumnDefault' && ok.extra.exprText).toBe("'x'");
  });

  it('leaves other statements to the grammar', () => {
    const p = parseStatement('ALTER TABLE books ADD COLUMN x TEXT', '6.4');
    expect(p.kind).toBe('tree');
  });
});
