/**
 * Pieces of the CrateDB -> PG translation that are not obvious: how types are stored and reported, and
 * which WHERE clauses are real-time primary-key lookups (a SELECT's may filter too).
 */
import { describe, expect, it } from 'vitest';
import { Catalog, type TableDef } from '../../server/engine/catalog.js';
import { parseStatement, type Ctx } from '../../server/engine/parse.js';
import { pkLookup } from '../../server/engine/pklookup.js';
import { pgType, sqlTypeName, typeFromNode, typeId, typeName, type CrateType } from '../../server/engine/types.js';
import { buildTable } from '../../server/engine/ddl-create.js';

function columnTypes(ddl: string): CrateType[] {
  const p = parseStatement(ddl, '6.4');
  if (p.kind !== 'tree') throw new Error('not a statement');
  const create = p.stmt.createStmt();
  return (create.tableElement() as Ctx[]).map((el) => typeFromNode(el.columnDefinition().dataType()));
}

function table(ddl: string, catalog = new Catalog()): TableDef {
  const p = parseStatement(ddl, '6.4');
  if (p.kind !== 'tree') throw new Error('not a statement');
  const user = catalog.users.get('crate')!;
  const t = buildTable(p.stmt.createStmt(), 'doc', 't', { catalog, version: '6.4', schema: 'doc', searchPath: ['doc'], user }).table;
  catalog.addTable(t);
  return t;
}

function where(sql: string): Ctx {
  const p = parseStatement(sql, '6.4');
  if (p.kind !== 'tree') throw new Error('not a statement');
  return p.stmt.query().queryNoWith().queryTerm().querySpec().where()?.condition;
}

describe('types', () => {
  it('maps CrateDB types to PG storage, information_schema names and col_types ids', () => {
    const types = columnTypes(
      'CREATE TABLE t (a STRING, b VARCHAR(5), c CHARACTER(3), d ARRAY(INTEGER), e TEXT[], f OBJECT(STRICT) AS (x INT), ' +
        'g TIMESTAMP, h TIMESTAMPTZ, i IP, j GEO_POINT, k FLOAT_VECTOR(3), l BIT(4), m DOUBLE PRECISION, n NUMERIC(10, 2))',
    );
    expect(types.map(pgType)).toEqual([
      'text', 'varchar(5)', 'char(3)', 'integer[]', 'text[]', 'jsonb', 'timestamp', 'timestamptz', 'inet', 'point', 'real[]',
      'bit(4)', 'double precision', 'numeric(10, 2)',
    ]);
    expect(types.map(typeName)).toEqual([
      'text', 'text', 'character', 'integer_array', 'text_array', 'object', 'timestamp without time zone',
      'timestamp with time zone', 'ip', 'geo_point', 'float_vector', 'bit', 'double precision', 'numeric',
    ]);
    expect(types.map(typeId)).toEqual([4, 4, 27, [100, 9], [100, 4], 12, 15, 11, 5, 13, 28, 25, 6, 22]);
    const t = table('CREATE TABLE t (f OBJECT(STRICT) AS (x INT, y OBJECT AS (z TEXT)))');
    expect(sqlTypeName(t.columns[0]!.type)).toBe('OBJECT(STRICT) AS ("x" INTEGER, "y" OBJECT(DYNAMIC) AS ("z" TEXT))');
  });

  it('rejects unknown type names with CrateDB message', () => {
    expect(() => columnTypes('CREATE TABLE t (a STRNG)')).toThrow('Cannot find data type: strng');
  });
});

describe('real-time primary-key lookups', () => {
  const single = table('CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT)');
  const composite = table('CREATE TABLE t2 (a INT, b TEXT, v TEXT, PRIMARY KEY (a, b))', new Catalog());

  it('recognizes whole keys, OR-ed keys and IN lists', () => {
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x'"), single, 't')).toHaveLength(1);
    expect(pkLookup(where('SELECT * FROM t WHERE id = ? OR id = ?'), single, 't')).toHaveLength(2);
    expect(pkLookup(where("SELECT * FROM t WHERE id IN ('a', 'b', 'c')"), single, 't')).toHaveLength(3);
    expect(pkLookup(where("SELECT * FROM t WHERE 'x' = t.id"), single, 't')).toHaveLength(1);
  });

  it('allows the optimistic-concurrency columns next to the key', () => {
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' AND _seq_no = 1 AND _primary_term = 1"), single, 't')).toHaveLength(1);
  });

  it('lets a SELECT (filters) keep conditions on other columns, never on the key under NOT or beside match()', () => {
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' AND v = 'y'"), single, 't', true)).toHaveLength(1);
    expect(pkLookup(where("SELECT * FROM t WHERE (id = 'x' AND v = 'y') OR id = 'z'"), single, 't', true)).toHaveLength(2);
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' OR v = 'y'"), single, 't', true)).toBeUndefined();
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' AND NOT (id = 'y')"), single, 't', true)).toBeUndefined();
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' AND match(v, 'y')"), single, 't', true)).toBeUndefined();
  });

  it('treats anything else as a search', () => {
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' AND v = 'y'"), single, 't')).toBeUndefined();
    expect(pkLookup(where("SELECT * FROM t WHERE id > 'x'"), single, 't')).toBeUndefined();
    expect(pkLookup(where("SELECT * FROM t WHERE id = 'x' OR v = 'y'"), single, 't')).toBeUndefined();
    expect(pkLookup(where('SELECT * FROM t WHERE id = NULL'), single, 't')).toBeUndefined();
    expect(pkLookup(undefined, single, 't')).toBeUndefined();
  });

  it('needs every part of a composite key', () => {
    expect(pkLookup(where("SELECT * FROM t2 WHERE a = 1 AND b = 'eu'"), composite, 't2')).toHaveLength(1);
    expect(pkLookup(where('SELECT * FROM t2 WHERE a = 1'), composite, 't2')).toBeUndefined();
    expect(pkLookup(where("SELECT * FROM t2 WHERE a IN (1, 2) AND b = 'eu'"), composite, 't2')).toHaveLength(2);
  });
});
