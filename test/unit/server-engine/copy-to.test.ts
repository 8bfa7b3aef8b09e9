/**
 * COPY TO DIRECTORY: one file per shard (per partition), named `<table>_<shard>_<ident>.json`, lines of
 * sources or of the listed columns, refreshed rows only, gzip, WHERE and PARTITION, and CrateDB's refusals.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionIdent } from '../../server/engine/partitions.js';
import { shardOf } from '../../server/engine/routing.js';
import { engineForFile } from './file-engine.js';

describe('COPY TO (6.4)', () => {
  const { sql } = engineForFile();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cm-copy-to-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const lines = (file: string): string[] => {
    const raw = readFileSync(path.join(dir, file));
    return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split('\n').filter((l) => l !== '');
  };
  const quotes = async (): Promise<void> => {
    await sql('CREATE TABLE doc.q (id INT PRIMARY KEY, quote TEXT, meta OBJECT) CLUSTERED INTO 2 SHARDS');
    await sql("INSERT INTO doc.q (id, quote, meta) VALUES (1, 'a', {x = 1}), (2, 'b', NULL), (3, 'c', {y = [1, 2]})");
  };
  const shardFile = (id: number, suffix = '') => `q_${shardOf(String(id), 2)}_.json${suffix}`;

  it('writes each row on its shard file, as its source, and only what a refresh made searchable', async () => {
    await quotes();
    expect((await sql(`COPY doc.q TO DIRECTORY '${dir}'`)).rowcount).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['q_0_.json', 'q_1_.json']);
    await sql('REFRESH TABLE doc.q');
    expect((await sql(`COPY doc.q TO DIRECTORY '${dir}'`)).rowcount).toBe(3);
    const all = [...lines('q_0_.json'), ...lines('q_1_.json')].map((l) => JSON.parse(l) as { id: number });
    expect(all.sort((a, b) => a.id - b.id)).toEqual([{ id: 1, quote: 'a', meta: { x: 1 } }, { id: 2, quote: 'b' }, { id: 3, quote: 'c', meta: { y: [1, 2] } }]);
    for (const row of all) expect(lines(shardFile(row.id)).map((l) => (JSON.parse(l) as { id: number }).id)).toContain(row.id);
  });

  it('writes listed columns as arrays (objects with format json_object), gzipped, filtered by WHERE', async () => {
    await quotes();
    await sql('REFRESH TABLE doc.q');
    expect((await sql(`COPY doc.q (id, quote) TO DIRECTORY 'file://${dir}/' WITH (compression = 'gzip')`)).rowcount).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(['q_0_.json.gz', 'q_1_.json.gz']);
    expect(lines(shardFile(2, '.gz'))).toContain('[2,"b"]');
    expect((await sql(`COPY doc.q (id, quote) WHERE id > 1 TO DIRECTORY '${dir}' WITH (format = 'json_object')`)).rowcount).toBe(2);
    expect([...lines('q_0_.json'), ...lines('q_1_.json')].sort()).toEqual(['{"id":2,"quote":"b"}', '{"id":3,"quote":"c"}']);
  });

  it('exports one partition without its partition column, or every partition with it', async () => {
    await sql('CREATE TABLE doc.p (id INT, day TIMESTAMP, v TEXT, PRIMARY KEY (id, day)) CLUSTERED INTO 1 SHARDS PARTITIONED BY (day)');
    await sql("INSERT INTO doc.p (id, day, v) VALUES (1, '2024-01-01', 'x'), (2, '2024-01-02', 'y')");
    await sql('REFRESH TABLE doc.p');
    const first = partitionIdent(['1704067200000']);
    const second = partitionIdent(['1704153600000']);
    expect((await sql(`COPY doc.p PARTITION (day = '2024-01-01') TO DIRECTORY '${dir}'`)).rowcount).toBe(1);
    expect(readdirSync(dir)).toEqual([`p_0_${first}.json`]);
    expect(lines(`p_0_${first}.json`)).toEqual(['{"id":1,"v":"x"}']);
    expect((await sql(`COPY doc.p TO DIRECTORY '${dir}'`)).rowcount).toBe(2);
    expect(lines(`p_0_${second}.json`)).toEqual(['{"id":2,"day":1704153600000,"v":"y"}']);
    expect((await sql(`COPY doc.p PARTITION (day = '2024-01-09') TO DIRECTORY '${dir}'`)).error?.code).toBe(4046);
  });

  it('refuses what CrateDB refuses', async () => {
    await quotes();
    expect((await sql(`COPY doc.q TO '${dir}'`)).error).toEqual({ code: 4004, message: 'UnsupportedFeatureException[Using COPY TO without specifying a DIRECTORY is not supported]' });
    expect((await sql(`COPY doc.q TO DIRECTORY '${dir}/missing'`)).error).toEqual({
      code: 5000,
      message: `UnhandledServerException[Failed to open output: '${dir}/missing/q_0_.json (No such file or directory)']`,
    });
    expect((await sql(`COPY doc.q TO DIRECTORY '${dir}' WITH (foo = 1)`)).error).toEqual({ code: 4000, message: "SQLParseException[Setting 'foo' is not supported]" });
    expect((await sql(`COPY doc.q PARTITION (id = 1) TO DIRECTORY '${dir}'`)).error).toEqual({ code: 4000, message: "SQLParseException[table 'doc.q' is not partitioned]" });
    expect((await sql(`COPY doc.nope TO DIRECTORY '${dir}'`)).error?.code).toBe(4041);
  });
});
