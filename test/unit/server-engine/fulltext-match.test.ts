/**
 * match() beyond the recordings: `USING phrase_prefix` (Elasticsearch's match_phrase_prefix) reads the
 * terms as a phrase whose last term is a prefix; an object's sub-column is a target as a column is. One
 * engine for the file.
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
