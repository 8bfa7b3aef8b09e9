/**
 * Casts CrateDB has and PG lacks: a `[lon, lat]` array or a WKT `POINT (lon lat)` string to geo_point,
 * answered as `[lon, lat]` with col_type 13.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';

describe('casts to geo_point (6.4)', () => {
  let engine: Engine;
  const session: Session = { id: 1, schema: 'doc', user: 'crate' };

  beforeAll(async () => {
    engine = await createEngine({ version: '6.4' });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('reads an array and a WKT point', async () => {
    const stmt = "SELECT [30.5, 40]::GEO_POINT AS a, CAST('POINT (1.5 -2.5)' AS GEO_POINT) AS w";
    const body = (await engine.execute({ stmt, types: true, session })).body as { rows?: unknown[][]; col_types?: unknown[] };
    expect(body.rows).toEqual([[[30.5, 40], [1.5, -2.5]]]);
    expect(body.col_types).toEqual([13, 13]);
  });
});
