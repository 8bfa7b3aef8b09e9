/**
 * INSERT into tables keyed the way CrateDB users key them: a GENERATED partition column in the primary
 * key (the time-series layout: the value is computed, the row accepted, its partition made), and quoted
 * mixed-case key columns, whose case CrateDB keeps in ON CONFLICT targets, `excluded."Col"` and
 * PARTITIONED BY. One engine for the file (PGlite takes seconds to start).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

const JAN = Date.UTC(2026, 0, 1);
const FEB = Date.UTC(2026, 1, 1);
const READINGS = `CREATE TABLE doc.readings (device_id TEXT, ts TIMESTAMP WITH TIME ZONE,
  month TIMESTAMP WITH TIME ZONE GENERATED ALWAYS AS date_trunc('month', ts), value DOUBLE,
  PRIMARY KEY (device_id, ts, month)) PARTITIONED BY (month)`;

describe('INSERT keys (6.4)', () => {
  const { sql } = engineForFile();
  const rows = async (stmt: string): Promise<unknown[][] | undefined> => (await sql(stmt)).rows;
  const partitions = (table: string): Promise<unknown[][] | undefined> =>
    rows(`SELECT values, number_of_replicas FROM information_schema.table_partitions WHERE table_name = '${table}' ORDER BY partition_ident`);

  beforeEach(async () => {
    await sql(READINGS);
  });

  describe('a generated partition column in the primary key', () => {
    it('is computed for a row that does not give it, and the row makes its partition', async () => {
      expect(await sql("INSERT INTO doc.readings (device_id, ts, value) VALUES ('a', '2026-01-05T10:00:00Z', 1.5)")).toMatchObject({ rowcount: 1 });
      await sql('REFRESH TABLE doc.readings');
      expect(await rows('SELECT device_id, month, value FROM doc.readings')).toEqual([['a', JAN, 1.5]]);
      expect(await partitions('readings')).toEqual([[{ month: JAN }, '0-1']]);
    });

    it('is the conflict target of an upsert, which updates the row of the same key', async () => {
      const upsert = 'INSERT INTO doc.readings (device_id, ts, value) VALUES (?, ?, ?) ON CONFLICT (device_id, ts, month) DO UPDATE SET value = excluded.value';
      expect(await sql(upsert, ['a', '2026-01-05T10:00:00Z', 1.5])).toMatchObject({ rowcount: 1 });
      expect(await sql(upsert, ['a', '2026-01-05T10:00:00Z', 2.5])).toMatchObject({ rowcount: 1 });
      await sql('REFRESH TABLE doc.readings');
      expect(await rows('SELECT device_id, value FROM doc.readings')).toEqual([['a', 2.5]]);
    });

    it('keys each row of a bulk request, a repeated key being a duplicate', async () => {
      const r = await sql('INSERT INTO doc.readings (device_id, ts, value) VALUES (?, ?, ?)', undefined, [
        ['a', '2026-01-05T10:00:00Z', 1],
        ['b', '2026-02-05T10:00:00Z', 2],
        ['a', '2026-01-05T10:00:00Z', 3],
      ]);
      expect(r.results).toEqual([{ rowcount: 1 }, { rowcount: 1 }, { rowcount: -2, error: { code: 4091, message: 'DuplicateKeyException[A document with the same primary key exists already]' } }]);
      expect(await partitions('readings')).toEqual([[{ month: JAN }, '0-1'], [{ month: FEB }, '0-1']]);
    });

    it('is computed for the rows of INSERT ... SELECT', async () => {
      await sql('CREATE TABLE doc.raw (device_id TEXT, ts TIMESTAMP WITH TIME ZONE, value DOUBLE)');
      await sql("INSERT INTO doc.raw VALUES ('a', '2026-01-05T10:00:00Z', 1), ('b', '2026-02-05T10:00:00Z', 2)");
      await sql('REFRESH TABLE doc.raw');
      expect(await sql('INSERT INTO doc.readings (device_id, ts, value) SELECT device_id, ts, value FROM doc.raw')).toMatchObject({ rowcount: 2 });
      await sql('REFRESH TABLE doc.readings');
      expect(await rows('SELECT device_id, month FROM doc.readings ORDER BY device_id')).toEqual([['a', JAN], ['b', FEB]]);
    });

    it('names its partition by a timestamp text in ALTER TABLE ... PARTITION, converted to the column type', async () => {
      await sql("INSERT INTO doc.readings (device_id, ts, value) VALUES ('a', '2026-01-05T10:00:00Z', 1), ('b', '2026-02-05T10:00:00Z', 2)");
      expect(await sql("ALTER TABLE doc.readings PARTITION (month = '2026-01-01T00:00:00Z') SET (number_of_replicas = 0)")).toMatchObject({ rowcount: -1 });
      expect(await partitions('readings')).toEqual([[{ month: JAN }, '0'], [{ month: FEB }, '0-1']]);
    });

    it('still refuses a given value that does not match its computation', async () => {
      const r = await sql("INSERT INTO doc.readings (device_id, ts, month, value) VALUES ('a', '2026-01-05T10:00:00Z', '2026-02-01T00:00:00Z', 1)");
      expect(r.error?.message).toMatch(/^SQLParseException\[Given value \d+ for generated column month does not match calculation/);
    });
  });

  describe('quoted mixed-case key columns', () => {
    beforeEach(async () => {
      await sql('CREATE TABLE doc."Devices" ("deviceId" TEXT PRIMARY KEY, model TEXT, "maxTemp" INT)');
    });

    it('keep their case in the ON CONFLICT target and in excluded."Col"', async () => {
      const upsert = 'INSERT INTO doc."Devices" ("deviceId", model, "maxTemp") VALUES (?, ?, ?) ON CONFLICT ("deviceId") DO UPDATE SET model = excluded.model, "maxTemp" = excluded."maxTemp"';
      expect(await sql(upsert, ['d', 'm1', 1])).toMatchObject({ rowcount: 1 });
      expect(await sql(upsert, ['d', 'm2', 2])).toMatchObject({ rowcount: 1 });
      await sql('REFRESH TABLE doc."Devices"');
      expect(await rows('SELECT "deviceId", model, "maxTemp" FROM doc."Devices"')).toEqual([['d', 'm2', 2]]);
    });

    it('are not matched by an unquoted name, which folds to lower case', async () => {
      expect((await sql("INSERT INTO doc.\"Devices\" (\"deviceId\") VALUES ('d') ON CONFLICT (deviceId) DO NOTHING")).error?.message)
        .toBe('SQLParseException[Conflict target (deviceid) did not match the primary key columns (deviceId)]');
      expect((await sql("INSERT INTO doc.\"Devices\" (deviceId) VALUES ('d')")).error).toMatchObject({ code: 4043, message: 'ColumnUnknownException[Column deviceid unknown]' });
    });

    it('keep their case in PARTITIONED BY and in a PARTITION clause', async () => {
      await sql('CREATE TABLE doc.daily (id INT, "Day" TEXT, PRIMARY KEY (id, "Day")) PARTITIONED BY ("Day")');
      expect(await sql("INSERT INTO doc.daily (id) VALUES (1)")).toMatchObject({ error: { message: 'SQLParseException[Column `Day` is required but is missing from the insert statement]' } });
      expect(await sql("INSERT INTO doc.daily (id, \"Day\") VALUES (1, 'mon')")).toMatchObject({ rowcount: 1 });
      expect(await sql("ALTER TABLE doc.daily PARTITION (\"Day\" = 'mon') SET (number_of_replicas = 0)")).toMatchObject({ rowcount: -1 });
      expect(await partitions('daily')).toEqual([[{ Day: 'mon' }, '0']]);
    });
  });

  describe('the _id of a composite key (Id.encode)', () => {
    it('is base64 of the value count and each value with its length, the CLUSTERED BY value first', async () => {
      await sql('CREATE TABLE doc.ck (a INT, b TEXT, PRIMARY KEY (a, b))');
      await sql('CREATE TABLE doc.ckc (a INT, b TEXT, PRIMARY KEY (a, b)) CLUSTERED BY (b)');
      await sql("INSERT INTO doc.ck (a, b) VALUES (1, 'x'), (2, 'héllo wörld')");
      await sql("INSERT INTO doc.ckc (a, b) VALUES (1, 'x')");
      // [2, 1, '1', 1, 'x'], and the UTF-8 bytes (13 of them) of the second key
      expect((await sql('SELECT _id FROM doc.ck WHERE a = 1 AND b = ?', ['x'])).rows).toEqual([['AgExAXg=']]);
      expect((await sql("SELECT _id FROM doc.ck WHERE a = 2 AND b = 'héllo wörld'")).rows).toEqual([[Buffer.from([2, 1, 0x32, 13, ...Buffer.from('héllo wörld')]).toString('base64')]]);
      expect((await sql("SELECT _id FROM doc.ckc WHERE a = 1 AND b = 'x'")).rows).toEqual([['AgF4ATE=']]);
      await sql('REFRESH TABLE doc.ck');
      expect((await sql("SELECT a FROM doc.ck WHERE _id = 'AgExAXg='")).rows).toEqual([[1]]);
    });
  });
});
