/**
 * Object values come back with their keys in the order of the object's columns (definition order, then a
 * dynamic key where it was first seen), not PG jsonb's shorter-keys-first order.
 */
import { describe, expect, it } from 'vitest';
import { engineForFile } from './file-engine.js';

describe('object key order (6.4)', () => {
  const { sql } = engineForFile();

  it('keeps defined and dynamic keys in column order, nested objects and arrays of objects included', async () => {
    await sql('CREATE TABLE doc.ko (id INT PRIMARY KEY, od OBJECT(DYNAMIC), o OBJECT(STRICT) AS (zz INT, a TEXT), arr ARRAY(OBJECT AS (zeta INT, b INT)))');
    await sql('INSERT INTO doc.ko (id, od, o, arr) VALUES (?, ?, ?, ?)', [1, { nested: { zz: true, a: 1 }, k: [1, 2] }, { zz: 1, a: 'x' }, [{ zeta: 1, b: 2 }]]);
    const { rows } = await sql("SELECT od, o, arr, od['nested'] FROM doc.ko WHERE id = 1");
    expect(JSON.stringify(rows)).toBe('[[{"nested":{"zz":true,"a":1},"k":[1,2]},{"zz":1,"a":"x"},[{"zeta":1,"b":2}],{"zz":true,"a":1}]]');
  });
});
