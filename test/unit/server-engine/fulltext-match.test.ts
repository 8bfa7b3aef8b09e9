/**
 * match() beyond the recordings: `USING phrase_prefix` (Elasticsearch's match_phrase_prefix) reads the
 * terms as a phrase whose last term is a prefix; an object's sub-column is a target as a column is; the
 * keyword and whitespace analyzers keep the case; fuzziness, slop and minimum_should_match; the checks of
 * MatchOptionsAnalysis. One engine per describe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';

describe('match() USING phrase_prefix and on sub-columns (6.4)', () => {
  let engine: Engine;
  const session: Session = { id: 1, schema: 'doc', user: 'crate' };
  const ids = async (where: string): Promise<unknown[][] | undefined> =>
    ((await engine.execute({ stmt: `SELECT id FROM doc.ft WHERE ${where} ORDER BY id`, types: false, session })).body as { rows?: unknown[][] }).rows;

  beforeAll(async () => {
    engine = await createEngine({ version: '6.4' });
    await engine.execute({ stmt: "CREATE TABLE doc.ft (id TEXT PRIMARY KEY, title TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'), meta OBJECT(STRICT) AS (lang TEXT, origin OBJECT AS (country TEXT)))", types: false, session });
    await engine.execute({
      stmt: 'INSERT INTO doc.ft (id, title, meta) VALUES (?, ?, ?)',
      bulkArgs: [
        ['1', "The Hitchhiker's Guide to the Galaxy", { lang: 'en', origin: { country: 'uk' } }],
        ['3', "Monty Python's Big Red Book", { lang: 'en gb' }],
      ],
      types: false,
      session,
    });
    await engine.execute({ stmt: 'REFRESH TABLE doc.ft', types: false, session });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('takes the last term as a prefix of an indexed token', async () => {
    expect(await ids("match(title, 'gui') USING phrase_prefix")).toEqual([['1']]);
    expect(await ids("match(title, 'big re') USING phrase_prefix")).toEqual([['3']]);
  });

  it('keeps the phrase order, and a plain phrase takes no prefix', async () => {
    expect(await ids("match(title, 're big') USING phrase_prefix")).toEqual([]);
    expect(await ids("match(title, 'big re') USING phrase")).toEqual([]);
  });

  it('matches an object sub-column, not indexed for fulltext, as a keyword', async () => {
    expect(await ids("match(meta['lang'], 'en')")).toEqual([['1']]);
    expect(await ids("match(meta['origin']['country'], 'uk')")).toEqual([['1']]);
  });

  it('names an unknown key of a strict object as CrateDB does', async () => {
    const res = await engine.execute({ stmt: "SELECT id FROM doc.ft WHERE match(meta['origin']['city'], 'x')", types: false, session });
    expect(res.body).toEqual({ error: { code: 4043, message: "ColumnUnknownException[Column meta['origin']['city'] unknown]" } });
  });
});

describe('match() analyzers, options and their checks (6.4)', () => {
  let engine: Engine;
  const session: Session = { id: 2, schema: 'doc', user: 'crate' };
  const answer = async (stmt: string): Promise<{ rows?: unknown[][]; error?: { code: number; message: string } }> =>
    (await engine.execute({ stmt, types: false, session })).body as { rows?: unknown[][]; error?: { code: number; message: string } };
  const ids = async (where: string): Promise<unknown[][] | undefined> => (await answer(`SELECT id FROM doc.an WHERE ${where} ORDER BY id`)).rows;

  beforeAll(async () => {
    engine = await createEngine({ version: '6.4' });
    await engine.execute({
      stmt: "CREATE TABLE doc.an (id INT PRIMARY KEY, body TEXT INDEX USING FULLTEXT WITH (analyzer = 'standard'), kw TEXT INDEX USING FULLTEXT WITH (analyzer = 'keyword'), ws TEXT INDEX USING FULLTEXT WITH (analyzer = 'whitespace'))",
      types: false,
      session,
    });
    await engine.execute({
      stmt: 'INSERT INTO doc.an (id, body, kw, ws) VALUES (?, ?, ?, ?)',
      bulkArgs: [[1, 'The quick brown fox', 'New York', 'Foo-Bar baz'], [2, 'lazy dog sleeps', 'York', 'foo-bar']],
      types: false,
      session,
    });
    await engine.execute({ stmt: 'REFRESH TABLE doc.an', types: false, session });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('keeps the case with the keyword analyzer (the whole value) and the whitespace one (split on blanks only)', async () => {
    expect(await ids("match(kw, 'York')")).toEqual([[2]]);
    expect(await ids("match(kw, 'york')")).toEqual([]);
    expect(await ids("match(ws, 'foo-bar')")).toEqual([[2]]);
    expect(await ids("match(ws, 'Foo-Bar baz') USING phrase")).toEqual([[1]]);
  });

  it('allows edits with fuzziness (a transposition is one), and extra positions in a phrase with slop', async () => {
    expect(await ids("match(body, 'quik') USING best_fields WITH (fuzziness = 1)")).toEqual([[1]]);
    expect(await ids("match(body, 'qiuck') USING best_fields WITH (fuzziness = 'AUTO')")).toEqual([[1]]);
    expect(await ids("match(body, 'qu') USING best_fields WITH (fuzziness = 'AUTO')")).toEqual([]);
    expect(await ids("match(body, 'quick fox') USING phrase")).toEqual([]);
    expect(await ids("match(body, 'quick fox') USING phrase WITH (slop = 1)")).toEqual([[1]]);
  });

  it('needs minimum_should_match of the terms, as a count or a share', async () => {
    expect(await ids("match(body, 'quick dog') USING most_fields WITH (minimum_should_match = 2)")).toEqual([]);
    expect(await ids("match(body, 'quick brown dog') USING most_fields WITH (minimum_should_match = 2)")).toEqual([[1]]);
    expect(await ids("match(body, 'quick brown dog') USING most_fields WITH (minimum_should_match = '60%')")).toEqual([[1], [2]]);
  });

  it('refuses an unknown type or option, a value out of range and a NULL term as CrateDB does (4000)', async () => {
    const error = async (where: string) => (await answer(`SELECT id FROM doc.an WHERE ${where}`)).error;
    expect(await error("match(body, 'x') USING foo")).toEqual({ code: 4000, message: "SQLParseException[invalid MATCH type 'foo' for type 'text']" });
    expect(await error("match(body, 'x') USING phrase WITH (slop = 0)")).toEqual({ code: 4000, message: "SQLParseException[invalid value for option 'slop': 0]" });
    expect(await error("match(body, 'x') USING phrase WITH (nope = 1)")).toEqual({ code: 4000, message: "SQLParseException[unknown match option 'nope']" });
    expect(await error('match(body, NULL)')).toEqual({ code: 4000, message: 'SQLParseException[cannot use NULL as query term in match predicate]' });
  });
});
