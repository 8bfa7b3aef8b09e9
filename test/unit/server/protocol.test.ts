import { describe, expect, it } from 'vitest';
import { parseJson, toJson } from '../../server/json.js';
import { clusterInfo, errorTrace, parseSqlBody, queryFlag } from '../../server/protocol.js';

describe('parseSqlBody', () => {
  it('accepts stmt with args, and with bulk_args', () => {
    expect(parseSqlBody('{"stmt":"SELECT ?","args":[1]}', '6.4')).toEqual({ stmt: 'SELECT ?', args: [1] });
    expect(parseSqlBody('{"stmt":"INSERT","bulk_args":[[1],[2]]}', '6.4')).toEqual({ stmt: 'INSERT', bulkArgs: [[1], [2]] });
  });

  it('lets args win when bulk_args is empty, and an empty bulk_args is a bulk request', () => {
    expect(parseSqlBody('{"stmt":"S","args":[1],"bulk_args":[]}', '6.4')).toEqual({ stmt: 'S', args: [1] });
    expect(parseSqlBody('{"stmt":"S","bulk_args":[]}', '6.4')).toEqual({ stmt: 'S', bulkArgs: [] });
  });

  it('refuses args and bulk_args both non-empty with 4000', () => {
    expect(parseSqlBody('{"stmt":"S","args":[1],"bulk_args":[[1]]}', '5.10')).toEqual({
      status: 400,
      body: {
        error: {
          code: 4000,
          message: "SQLParseException[request body contains args and bulk_args. It's forbidden to provide both]",
        },
      },
    });
  });

  it('answers a missing or empty stmt with 5000 on 6.4 and 4000 echoing the body on 5.10', () => {
    expect(parseSqlBody('{"args": [1]}', '6.4')).toMatchObject({
      status: 500,
      body: { error: { code: 5000, message: 'SQLParseSourceException[Field [stmt] is missing]' } },
    });
    expect(parseSqlBody('{"stmt": ""}', '6.4')).toMatchObject({
      status: 500,
      body: { error: { code: 5000, message: 'SQLParseSourceException[Field [stmt] has no value]' } },
    });
    expect(parseSqlBody('{"stmt": ""}', '5.10')).toMatchObject({
      status: 400,
      body: { error: { code: 4000, message: 'SQLParseException[Failed to parse source [{"stmt": ""}]]' } },
    });
  });

  it('refuses invalid JSON, unknown keys and wrong types with 4000', () => {
    for (const raw of ['{not json', '{"stmt":"S","nope":1}', '{"stmt":1}', '{"stmt":"S","args":{}}', '[1]']) {
      expect(parseSqlBody(raw, '6.4')).toMatchObject({ status: 400, body: { error: { code: 4000 } } });
      expect(parseSqlBody(raw, '5.10')).toMatchObject({
        status: 400,
        body: { error: { code: 4000, message: `SQLParseException[Failed to parse source [${raw}]]` } },
      });
    }
    expect(parseSqlBody('', '6.4')).toMatchObject({ body: { error: { message: 'SQLParseException[Missing request body]' } } });
  });

  it('keeps integers beyond 2^53 exact in args', () => {
    expect(parseSqlBody('{"stmt":"S","args":[9007199254740993, 1.5]}', '6.4')).toEqual({
      stmt: 'S',
      args: [9007199254740993n, 1.5],
    });
  });
});

describe('json', () => {
  it('parses like JSON.parse, big integers as bigint, and writes them back as bare numbers', () => {
    const text = '{"a":[1,-2.5e3,"x\\"y\\u00e9",true,null,{}],"b":-9223372036854775808,"c":12345678901234567.5}';
    const value = parseJson(text) as Record<string, unknown>;
    expect(value.a).toEqual(JSON.parse(text).a);
    expect(value.b).toBe(-9223372036854775808n);
    expect(value.c).toBe(12345678901234567.5);
    expect(toJson({ b: value.b, n: [1n] })).toBe('{"b":-9223372036854775808,"n":[1]}');
    expect(() => parseJson('{"a": 12345678901234567,}')).toThrow(SyntaxError);
  });
});

describe('queryFlag', () => {
  it('takes only a bare flag or =true', () => {
    expect(queryFlag(new URLSearchParams('types'), 'types')).toBe(true);
    expect(queryFlag(new URLSearchParams('types=true'), 'types')).toBe(true);
    expect(queryFlag(new URLSearchParams('types=false'), 'types')).toBe(false);
    expect(queryFlag(new URLSearchParams('error_trace=1'), 'error_trace')).toBe(false);
  });
});

describe('answers', () => {
  it('names the CrateDB and Lucene versions per version', () => {
    expect(clusterInfo('6.4', 'a', 'b')).toMatchObject({ name: 'a', cluster_name: 'b', version: { number: '6.4.3', lucene_version: '10.4.0' } });
    expect(clusterInfo('5.10', 'a', 'b')).toMatchObject({ version: { number: '5.10.16', lucene_version: '9.12.3' } });
  });

  it('builds a Java-like trace from the error message', () => {
    expect(errorTrace("ParsingException[line 1:1: mismatched input 'SELEC']")).toMatch(
      /^io\.crate\.sql\.parser\.ParsingException: line 1:1: mismatched input 'SELEC'\n\tat /,
    );
  });
});
