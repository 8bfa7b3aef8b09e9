/**
 * The geometry CrateDB's geo functions need, as PL/pgSQL created with the engine (PGlite has no PostGIS).
 * CrateDB relates shapes with spatial4j over JTS, which is planar in degrees (x = longitude, y = latitude,
 * edges straight in that plane), so these are too: covers, intersects and within by exact double-precision
 * orientation tests (JTS's robust predicates give the same answers unless a test is within rounding of
 * zero), polygons with holes by even-odd crossing counts. Not modelled: a shape crossing the dateline (ES's
 * builders split it, spatial4j unwraps it; here it spans the map the other way round) and JTS's validity
 * checks (a self-intersecting ring is related as drawn, where CrateDB refuses it).
 *
 * A shape is GeoJSON (jsonb) on the way in; `geo_flatten` makes it arrays: isolated points, segments (of
 * lines, polygon number 0, and of rings, the polygon's number), the first vertex of each line and polygon,
 * its type and bounding box. The relations take flattened shapes, so that PG flattens a constant shape once
 * per statement (an immutable call on constants), not once per row.
 */
import { SYSTEM_SCHEMA } from './storage.js';

const S = SYSTEM_SCHEMA;

/** The parts of a shape: each point, line and polygon of it, through Multi* and collections. */
const PARTS = `
CREATE TYPE ${S}.geo_flat AS (
  px float8[], py float8[], x1 float8[], y1 float8[], x2 float8[], y2 float8[], poly int[], vx float8[], vy float8[], npoly int,
  kind text, box float8[]);

CREATE FUNCTION ${S}.geo_parts(g jsonb) RETURNS TABLE(kind text, coords jsonb) LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE e jsonb;
BEGIN
  CASE lower(g->>'type')
    WHEN 'point' THEN kind := 'point'; coords := g->'coordinates'; RETURN NEXT;
    WHEN 'multipoint' THEN RETURN QUERY SELECT 'point'::text, m.v FROM jsonb_array_elements(g->'coordinates') AS m(v);
    WHEN 'linestring' THEN kind := 'line'; coords := g->'coordinates'; RETURN NEXT;
    WHEN 'multilinestring' THEN RETURN QUERY SELECT 'line'::text, m.v FROM jsonb_array_elements(g->'coordinates') AS m(v);
    WHEN 'polygon' THEN kind := 'polygon'; coords := g->'coordinates'; RETURN NEXT;
    WHEN 'multipolygon' THEN RETURN QUERY SELECT 'polygon'::text, m.v FROM jsonb_array_elements(g->'coordinates') AS m(v);
    WHEN 'geometrycollection' THEN
      FOR e IN SELECT m.v FROM jsonb_array_elements(g->'geometries') AS m(v) LOOP
        RETURN QUERY SELECT * FROM ${S}.geo_parts(e);
      END LOOP;
    ELSE NULL;
  END CASE;
END $$;

CREATE FUNCTION ${S}.geo_flatten(g jsonb) RETURNS ${S}.geo_flat LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE f ${S}.geo_flat;
BEGIN
  WITH parts AS (SELECT p.kind, p.coords, row_number() OVER () AS n FROM ${S}.geo_parts(g) AS p),
  polys AS (SELECT parts.coords, parts.n, row_number() OVER (ORDER BY parts.n) AS k FROM parts WHERE parts.kind = 'polygon'),
  chains AS (
    SELECT 0::bigint AS k, parts.coords AS c, parts.n, 0::bigint AS r FROM parts WHERE parts.kind = 'line'
    UNION ALL
    SELECT polys.k, ring.v, polys.n, ring.r FROM polys, jsonb_array_elements(polys.coords) WITH ORDINALITY AS ring(v, r)),
  segs AS (
    SELECT chains.k, chains.n, chains.r, i,
      (chains.c->(i - 1)->>0)::float8 AS sx1, (chains.c->(i - 1)->>1)::float8 AS sy1,
      (chains.c->i->>0)::float8 AS sx2, (chains.c->i->>1)::float8 AS sy2
    FROM chains, generate_series(1, jsonb_array_length(chains.c) - 1) AS i)
  SELECT
    coalesce((SELECT array_agg((parts.coords->>0)::float8 ORDER BY parts.n) FROM parts WHERE parts.kind = 'point'), '{}'),
    coalesce((SELECT array_agg((parts.coords->>1)::float8 ORDER BY parts.n) FROM parts WHERE parts.kind = 'point'), '{}'),
    coalesce((SELECT array_agg(segs.sx1 ORDER BY segs.n, segs.r, segs.i) FROM segs), '{}'),
    coalesce((SELECT array_agg(segs.sy1 ORDER BY segs.n, segs.r, segs.i) FROM segs), '{}'),
    coalesce((SELECT array_agg(segs.sx2 ORDER BY segs.n, segs.r, segs.i) FROM segs), '{}'),
    coalesce((SELECT array_agg(segs.sy2 ORDER BY segs.n, segs.r, segs.i) FROM segs), '{}'),
    coalesce((SELECT array_agg(segs.k::int ORDER BY segs.n, segs.r, segs.i) FROM segs), '{}'),
    coalesce((SELECT array_agg((chains.c->0->>0)::float8 ORDER BY chains.n) FROM chains WHERE chains.r <= 1), '{}'),
    coalesce((SELECT array_agg((chains.c->0->>1)::float8 ORDER BY chains.n) FROM chains WHERE chains.r <= 1), '{}'),
    (SELECT count(*)::int FROM polys),
    lower(g->>'type'),
    (SELECT ARRAY[min(b.x), min(b.y), max(b.x), max(b.y)] FROM (
      SELECT (parts.coords->>0)::float8 AS x, (parts.coords->>1)::float8 AS y FROM parts WHERE parts.kind = 'point'
      UNION ALL SELECT segs.sx1, segs.sy1 FROM segs UNION ALL SELECT segs.sx2, segs.sy2 FROM segs) AS b)
  INTO f;
  RETURN f;
END $$;

CREATE FUNCTION ${S}.geo_flat_pt(p point) RETURNS ${S}.geo_flat LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT ROW(ARRAY[p[0]], ARRAY[p[1]], '{}'::float8[], '{}'::float8[], '{}'::float8[], '{}'::float8[], '{}'::int[],
    '{}'::float8[], '{}'::float8[], 0, 'point', ARRAY[p[0], p[1], p[0], p[1]])::${S}.geo_flat $$;`;

/**
 * Point tests: covered (an isolated point, on a segment, or inside a polygon) and strictly inside a
 * polygon (crossing parity per polygon, so a hole's inside is outside).
 */
const POINTS = `
CREATE FUNCTION ${S}.geo_covers_pt(f ${S}.geo_flat, px float8, py float8) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i int; k int; inside boolean[] := array_fill(false, ARRAY[greatest(f.npoly, 1)]);
  ax float8; ay float8; bx float8; b_y float8;
BEGIN
  IF px < f.box[1] OR py < f.box[2] OR px > f.box[3] OR py > f.box[4] THEN RETURN false; END IF;
  FOR i IN 1..coalesce(array_length(f.px, 1), 0) LOOP
    IF f.px[i] = px AND f.py[i] = py THEN RETURN true; END IF;
  END LOOP;
  FOR i IN 1..coalesce(array_length(f.x1, 1), 0) LOOP
    ax := f.x1[i]; ay := f.y1[i]; bx := f.x2[i]; b_y := f.y2[i];
    IF (bx - ax) * (py - ay) - (b_y - ay) * (px - ax) = 0
       AND px BETWEEN least(ax, bx) AND greatest(ax, bx) AND py BETWEEN least(ay, b_y) AND greatest(ay, b_y) THEN
      RETURN true;
    END IF;
    k := f.poly[i];
    IF k > 0 AND (ay > py) <> (b_y > py) AND px < (bx - ax) * (py - ay) / (b_y - ay) + ax THEN
      inside[k] := NOT inside[k];
    END IF;
  END LOOP;
  RETURN true = ANY(inside);
END $$;

CREATE FUNCTION ${S}.geo_inside(f ${S}.geo_flat, px float8, py float8) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE i int; k int; inside boolean[] := array_fill(false, ARRAY[greatest(f.npoly, 1)]);
  ax float8; ay float8; bx float8; b_y float8;
BEGIN
  FOR i IN 1..coalesce(array_length(f.x1, 1), 0) LOOP
    k := f.poly[i];
    IF k > 0 THEN
      ax := f.x1[i]; ay := f.y1[i]; bx := f.x2[i]; b_y := f.y2[i];
      IF (ay > py) <> (b_y > py) AND px < (bx - ax) * (py - ay) / (b_y - ay) + ax THEN inside[k] := NOT inside[k]; END IF;
    END IF;
  END LOOP;
  RETURN true = ANY(inside);
END $$;`;

/**
 * A segment cut where it meets the segments of a shape: the midpoint of each piece, and whether the piece
 * runs along one of them (collinear overlaps are found exactly, not by testing a rounded midpoint).
 */
const PIECES = `
CREATE FUNCTION ${S}.geo_pieces(f ${S}.geo_flat, ax float8, ay float8, bx float8, b_y float8)
RETURNS TABLE(mx float8, my float8, along boolean) LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  dx float8 := bx - ax; dy float8 := b_y - ay; len2 float8 := dx * dx + dy * dy;
  ts float8[] := ARRAY[0, 1]::float8[]; los float8[] := '{}'; his float8[] := '{}';
  o1 float8; o2 float8; t1 float8; t2 float8; ex float8; ey float8; den float8; prev float8; t float8; m float8;
  i int; j int;
BEGIN
  IF len2 = 0 THEN RETURN; END IF;
  FOR i IN 1..coalesce(array_length(f.x1, 1), 0) LOOP
    o1 := dx * (f.y1[i] - ay) - dy * (f.x1[i] - ax);
    o2 := dx * (f.y2[i] - ay) - dy * (f.x2[i] - ax);
    IF o1 = 0 AND o2 = 0 THEN
      t1 := ((f.x1[i] - ax) * dx + (f.y1[i] - ay) * dy) / len2;
      t2 := ((f.x2[i] - ax) * dx + (f.y2[i] - ay) * dy) / len2;
      los := los || least(t1, t2); his := his || greatest(t1, t2); ts := ts || t1 || t2;
    ELSIF (o1 <= 0 AND o2 >= 0) OR (o1 >= 0 AND o2 <= 0) THEN
      ex := f.x2[i] - f.x1[i]; ey := f.y2[i] - f.y1[i];
      den := dx * ey - dy * ex;
      IF den <> 0 THEN ts := ts || (((f.x1[i] - ax) * ey - (f.y1[i] - ay) * ex) / den); END IF;
    END IF;
  END LOOP;
  FOR t IN SELECT DISTINCT u.v FROM unnest(ts) AS u(v) WHERE u.v >= 0 AND u.v <= 1 ORDER BY u.v LOOP
    IF prev IS NOT NULL THEN
      along := false;
      FOR j IN 1..coalesce(array_length(los, 1), 0) LOOP
        IF los[j] <= prev AND his[j] >= t THEN along := true; EXIT; END IF;
      END LOOP;
      m := (prev + t) / 2;
      mx := ax + m * dx; my := ay + m * dy;
      RETURN NEXT;
    END IF;
    prev := t;
  END LOOP;
END $$;

CREATE FUNCTION ${S}.geo_covers_seg(f ${S}.geo_flat, ax float8, ay float8, bx float8, b_y float8) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT ${S}.geo_covers_pt(f, ax, ay) AND ${S}.geo_covers_pt(f, bx, b_y)
    AND NOT EXISTS (SELECT 1 FROM ${S}.geo_pieces(f, ax, ay, bx, b_y) AS p WHERE NOT p.along AND NOT ${S}.geo_inside(f, p.mx, p.my)) $$;

CREATE FUNCTION ${S}.geo_poly_only(f ${S}.geo_flat, k int) RETURNS ${S}.geo_flat LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW('{}'::float8[], '{}'::float8[],
    coalesce(array_agg(e.x1 ORDER BY e.n), '{}'), coalesce(array_agg(e.y1 ORDER BY e.n), '{}'),
    coalesce(array_agg(e.x2 ORDER BY e.n), '{}'), coalesce(array_agg(e.y2 ORDER BY e.n), '{}'),
    coalesce(array_agg(1 ORDER BY e.n), '{}'), '{}'::float8[], '{}'::float8[], 1, 'polygon', (f).box)::${S}.geo_flat
  FROM unnest((f).x1, (f).y1, (f).x2, (f).y2, (f).poly) WITH ORDINALITY AS e(x1, y1, x2, y2, p, n) WHERE e.p = k $$;

-- A point inside polygon k: on the line halfway between its two lowest vertex latitudes, which holds no vertex,
-- halfway between the first two crossings (even-odd: the span between them is inside, holes or not).
CREATE FUNCTION ${S}.geo_interior(f ${S}.geo_flat, k int) RETURNS point LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE ys float8[]; yy float8; xs float8[];
BEGIN
  SELECT array_agg(DISTINCT e.v ORDER BY e.v) INTO ys FROM unnest(f.y1, f.poly) AS e(v, p) WHERE e.p = k;
  IF coalesce(array_length(ys, 1), 0) < 2 THEN RETURN NULL; END IF;
  yy := (ys[1] + ys[2]) / 2;
  SELECT array_agg(c.x ORDER BY c.x) INTO xs FROM (
    SELECT (e.x2 - e.x1) * (yy - e.y1) / (e.y2 - e.y1) + e.x1 AS x
    FROM unnest(f.x1, f.y1, f.x2, f.y2, f.poly) AS e(x1, y1, x2, y2, p) WHERE e.p = k AND (e.y1 > yy) <> (e.y2 > yy)) AS c;
  IF coalesce(array_length(xs, 1), 0) < 2 THEN RETURN NULL; END IF;
  RETURN point((xs[1] + xs[2]) / 2, yy);
END $$;`;

/**
 * Shape relations. `f` covers `q` when every point of q is in f (OGC covers, which spatial4j calls
 * CONTAINS): q's points and segments covered, and for each polygon of q its edges covered, no edge of
 * f's polygons through its inside and one of its inner points inside f. They intersect when a point of
 * either is covered by the other, a segment meets a segment, or a part of one starts inside the other.
 */
const RELATIONS = `
CREATE FUNCTION ${S}.geo_covers_any(f ${S}.geo_flat, xs float8[], ys float8[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT EXISTS (SELECT 1 FROM unnest(xs, ys) AS p(x, y) WHERE ${S}.geo_covers_pt(f, p.x, p.y))
$$;
CREATE FUNCTION ${S}.geo_covers(f ${S}.geo_flat, q ${S}.geo_flat) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE i int; k int; qk ${S}.geo_flat; c point;
BEGIN
  IF q.box[1] < f.box[1] OR q.box[2] < f.box[2] OR q.box[3] > f.box[3] OR q.box[4] > f.box[4] THEN RETURN false; END IF;
  FOR i IN 1..coalesce(array_length(q.px, 1), 0) LOOP
    IF NOT ${S}.geo_covers_pt(f, q.px[i], q.py[i]) THEN RETURN false; END IF;
  END LOOP;
  FOR i IN 1..coalesce(array_length(q.x1, 1), 0) LOOP
    IF NOT ${S}.geo_covers_seg(f, q.x1[i], q.y1[i], q.x2[i], q.y2[i]) THEN RETURN false; END IF;
  END LOOP;
  FOR k IN 1..q.npoly LOOP
    IF f.npoly = 0 THEN RETURN false; END IF;
    qk := ${S}.geo_poly_only(q, k);
    FOR i IN 1..coalesce(array_length(f.x1, 1), 0) LOOP
      IF f.poly[i] > 0 AND EXISTS (
        SELECT 1 FROM ${S}.geo_pieces(qk, f.x1[i], f.y1[i], f.x2[i], f.y2[i]) AS p WHERE NOT p.along AND ${S}.geo_inside(qk, p.mx, p.my)) THEN
        RETURN false;
      END IF;
    END LOOP;
    c := ${S}.geo_interior(q, k);
    IF c IS NULL OR NOT ${S}.geo_inside(f, c[0], c[1]) THEN RETURN false; END IF;
  END LOOP;
  RETURN true;
END $$;

CREATE FUNCTION ${S}.geo_meets(f ${S}.geo_flat, q ${S}.geo_flat) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE i int; j int; ax float8; ay float8; bx float8; b_y float8; cx float8; cy float8; dx float8; dy float8;
  o1 float8; o2 float8; o3 float8; o4 float8;
BEGIN
  IF q.box[1] > f.box[3] OR q.box[2] > f.box[4] OR q.box[3] < f.box[1] OR q.box[4] < f.box[2] THEN RETURN false; END IF;
  IF ${S}.geo_covers_any(f, q.px, q.py) OR ${S}.geo_covers_any(q, f.px, f.py)
    OR ${S}.geo_covers_any(f, q.vx, q.vy) OR ${S}.geo_covers_any(q, f.vx, f.vy) THEN
    RETURN true;
  END IF;
  FOR i IN 1..coalesce(array_length(f.x1, 1), 0) LOOP
    ax := f.x1[i]; ay := f.y1[i]; bx := f.x2[i]; b_y := f.y2[i];
    FOR j IN 1..coalesce(array_length(q.x1, 1), 0) LOOP
      cx := q.x1[j]; cy := q.y1[j]; dx := q.x2[j]; dy := q.y2[j];
      o1 := sign((bx - ax) * (cy - ay) - (b_y - ay) * (cx - ax));
      o2 := sign((bx - ax) * (dy - ay) - (b_y - ay) * (dx - ax));
      o3 := sign((dx - cx) * (ay - cy) - (dy - cy) * (ax - cx));
      o4 := sign((dx - cx) * (b_y - cy) - (dy - cy) * (bx - cx));
      IF (o1 * o2 < 0 AND o3 * o4 < 0)
         OR (o1 = 0 AND cx BETWEEN least(ax, bx) AND greatest(ax, bx) AND cy BETWEEN least(ay, b_y) AND greatest(ay, b_y))
         OR (o2 = 0 AND dx BETWEEN least(ax, bx) AND greatest(ax, bx) AND dy BETWEEN least(ay, b_y) AND greatest(ay, b_y))
         OR (o3 = 0 AND ax BETWEEN least(cx, dx) AND greatest(cx, dx) AND ay BETWEEN least(cy, dy) AND greatest(cy, dy))
         OR (o4 = 0 AND bx BETWEEN least(cx, dx) AND greatest(cx, dx) AND b_y BETWEEN least(cy, dy) AND greatest(cy, dy)) THEN
        RETURN true;
      END IF;
    END LOOP;
  END LOOP;
  RETURN false;
END $$;

-- within(a, b): spatial4j's relate is WITHIN, so b covers a and a does not cover b (equal shapes relate as
-- CONTAINS, which is checked first); a point or a set of points relates to a point only as INTERSECTS.
CREATE FUNCTION ${S}.geo_within(a ${S}.geo_flat, b ${S}.geo_flat) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  IF b.kind IN ('point', 'multipoint') THEN RETURN false; END IF;
  RETURN ${S}.geo_covers(b, a) AND NOT ${S}.geo_covers(a, b);
END $$;`;

/**
 * area(): spatial4j's Shape.getArea in the geo context. A polygon (JtsGeometry) is its JTS planar area's
 * share of its bounding box, times the box's area on the sphere of radius 180/pi degrees (GeodesicSphere-
 * DistCalc.area: square degrees, not square metres); JTS's ring area is the shoelace sum taken from the
 * first vertex's x. A Multi* or collection of several parts is an ES ShapeCollection: the parts' areas
 * summed, at most its bounding box's; points and lines have none.
 */
const AREA = `
CREATE FUNCTION ${S}.geo_box_area(miny float8, maxy float8, w float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT pi() / 180 * (1 / (pi() / 180)) * (1 / (pi() / 180)) * abs(sin(miny * (pi() / 180)) - sin(maxy * (pi() / 180))) * w $$;

CREATE FUNCTION ${S}.geo_ring_area(r jsonb) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE n int := jsonb_array_length(r); s float8 := 0; x0 float8 := (r->0->>0)::float8; i int;
BEGIN
  IF n < 3 THEN RETURN 0; END IF;
  FOR i IN 1..n - 2 LOOP
    s := s + ((r->i->>0)::float8 - x0) * ((r->(i - 1)->>1)::float8 - (r->(i + 1)->>1)::float8);
  END LOOP;
  RETURN abs(s / 2.0);
END $$;

CREATE FUNCTION ${S}.geo_polygon_area(p jsonb) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE planar float8 := ${S}.geo_ring_area(p->0); i int; minx float8; maxx float8; miny float8; maxy float8;
BEGIN
  FOR i IN 1..jsonb_array_length(p) - 1 LOOP planar := planar - ${S}.geo_ring_area(p->i); END LOOP;
  IF planar = 0 THEN RETURN planar; END IF;
  SELECT min((v->>0)::float8), max((v->>0)::float8), min((v->>1)::float8), max((v->>1)::float8)
    INTO minx, maxx, miny, maxy FROM jsonb_array_elements(p->0) AS v;
  RETURN ${S}.geo_box_area(miny, maxy, maxx - minx) * (planar / ((maxx - minx) * (maxy - miny)));
END $$;

CREATE FUNCTION ${S}.geo_area(g jsonb) RETURNS float8 LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE t text := lower(g->>'type'); members jsonb; m jsonb; total float8 := 0; cap float8;
BEGIN
  IF t = 'polygon' THEN RETURN ${S}.geo_polygon_area(g->'coordinates'); END IF;
  IF t = 'multipolygon' THEN
    members := (SELECT jsonb_agg(jsonb_build_object('type', 'Polygon', 'coordinates', e.v)) FROM jsonb_array_elements(g->'coordinates') AS e(v));
  ELSIF t = 'geometrycollection' THEN
    members := g->'geometries';
  ELSE
    RETURN 0;
  END IF;
  IF jsonb_array_length(members) = 1 THEN RETURN ${S}.geo_area(members->0); END IF;
  SELECT ${S}.geo_box_area(min((v->>1)::float8), max((v->>1)::float8), max((v->>0)::float8) - min((v->>0)::float8)) INTO cap
    FROM jsonb_path_query(g, 'lax $.**') AS v WHERE jsonb_typeof(v) = 'array' AND jsonb_typeof(v->0) = 'number';
  FOR m IN SELECT e.v FROM jsonb_array_elements(members) AS e(v) LOOP
    total := total + ${S}.geo_area(m);
    IF total >= cap THEN RETURN cap; END IF;
  END LOOP;
  RETURN total;
END $$;`;

/**
 * geohash(): Elasticsearch's GeoHashUtils.stringEncode at 12 characters, from Lucene's 32-bit encoding of
 * latitude and longitude (floor of the value over its decode step, the maximum kept below 2^31, sign bit
 * flipped), their top 30 bits interleaved longitude first, 5 bits a character.
 */
const GEOHASH = `
CREATE FUNCTION ${S}.geohash(lon float8, lat float8) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  la bigint := (least(floor(lat / (1 / (CAST(4294967296 AS float8) / 180))), 2147483647) + 2147483648)::bigint >> 2;
  lo bigint := (least(floor(lon / (1 / (CAST(4294967296 AS float8) / 360))), 2147483647) + 2147483648)::bigint >> 2;
  bits bigint := 0; hash text := ''; i int;
BEGIN
  FOR i IN REVERSE 29..0 LOOP
    bits := (bits << 2) | (((lo >> i) & 1) << 1) | ((la >> i) & 1);
  END LOOP;
  FOR i IN REVERSE 11..0 LOOP
    hash := hash || substr('0123456789bcdefghjkmnpqrstuvwxyz', ((bits >> (i * 5)) & 31)::int + 1, 1);
  END LOOP;
  RETURN hash;
END $$;

CREATE FUNCTION ${S}.geohash(p point) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT ${S}.geohash(p[0], p[1]) $$;`;

/**
 * Values that are only known when a row is read (a text column, a parameter, an object) turned into
 * GeoJSON, with the checks geo.ts makes of literals, failing as CrateDB does: a cast (`Cannot cast value`)
 * or, for within()'s WKT argument, spatial4j's reader (`Cannot convert WKT "..." to shape`).
 */
const CONVERSIONS = `
CREATE FUNCTION ${S}.geo_pos_ok(p jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(p) IS DISTINCT FROM 'array' OR jsonb_array_length(p) < 2 THEN RETURN false; END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(p) AS e(v) WHERE jsonb_typeof(e.v) <> 'number') THEN RETURN false; END IF;
  RETURN abs((p->>0)::float8) <= 180 AND abs((p->>1)::float8) <= 90;
END $$;

CREATE FUNCTION ${S}.geo_line_ok(l jsonb, least_points int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(l) IS DISTINCT FROM 'array' OR jsonb_array_length(l) < least_points THEN RETURN false; END IF;
  RETURN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(l) AS e(v) WHERE NOT ${S}.geo_pos_ok(e.v));
END $$;

CREATE FUNCTION ${S}.geo_ring_ok(r jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN ${S}.geo_line_ok(r, 4) AND r->0 = r->(jsonb_array_length(r) - 1);
END $$;

CREATE FUNCTION ${S}.geo_ok(g jsonb) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text; c jsonb;
BEGIN
  IF jsonb_typeof(g) IS DISTINCT FROM 'object' THEN RETURN false; END IF;
  t := g->>'type';
  IF t NOT IN ('Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection')
     AND t NOT IN ('point', 'multipoint', 'linestring', 'multilinestring', 'polygon', 'multipolygon', 'geometrycollection') THEN
    RETURN false;
  END IF;
  t := lower(t);
  IF t = 'geometrycollection' THEN
    RETURN jsonb_typeof(g->'geometries') = 'array'
      AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(g->'geometries') AS e(v) WHERE NOT ${S}.geo_ok(e.v));
  END IF;
  c := g->'coordinates';
  IF t = 'point' THEN RETURN coalesce(${S}.geo_pos_ok(c), false); END IF;
  IF t = 'linestring' THEN RETURN coalesce(${S}.geo_line_ok(c, 2), false); END IF;
  IF jsonb_typeof(c) IS DISTINCT FROM 'array' OR jsonb_array_length(c) = 0 THEN RETURN false; END IF;
  IF t = 'multipoint' THEN RETURN ${S}.geo_line_ok(c, 1); END IF;
  IF t = 'multilinestring' THEN
    RETURN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c) AS e(v) WHERE NOT ${S}.geo_line_ok(e.v, 2));
  END IF;
  RETURN NOT EXISTS (
    SELECT 1 FROM jsonb_array_elements(CASE WHEN t = 'polygon' THEN jsonb_build_array(c) ELSE c END) AS p(v)
    WHERE CASE WHEN jsonb_typeof(p.v) <> 'array' OR jsonb_array_length(p.v) = 0 THEN true
      ELSE EXISTS (SELECT 1 FROM jsonb_array_elements(p.v) AS r(v) WHERE NOT ${S}.geo_ring_ok(r.v)) END);
END $$;

CREATE FUNCTION ${S}.geo_from_text(t text, how text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE m text[]; j jsonb; kind text;
BEGIN
  m := regexp_match(t, '^\\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON)\\s*(\\(.*\\))\\s*$', 'i');
  IF m IS NOT NULL THEN
    BEGIN
      j := translate(regexp_replace(m[2], '(-?[0-9.eE+-]+)\\s+(-?[0-9.eE+-]+)', '[\\1,\\2]', 'g'), '()', '[]')::jsonb;
    EXCEPTION WHEN others THEN j := NULL;
    END;
    kind := CASE upper(m[1]) WHEN 'POINT' THEN 'Point' WHEN 'LINESTRING' THEN 'LineString' WHEN 'POLYGON' THEN 'Polygon'
      WHEN 'MULTIPOINT' THEN 'MultiPoint' WHEN 'MULTILINESTRING' THEN 'MultiLineString' ELSE 'MultiPolygon' END;
    IF kind = 'Point' THEN j := j->0; END IF;
    IF kind = 'MultiPoint' AND jsonb_typeof(j) = 'array' THEN
      j := (SELECT jsonb_agg(CASE WHEN jsonb_typeof(e.v) = 'array' AND jsonb_array_length(e.v) = 1 THEN e.v->0 ELSE e.v END ORDER BY e.n)
            FROM jsonb_array_elements(j) WITH ORDINALITY AS e(v, n));
    END IF;
    j := jsonb_build_object('type', kind, 'coordinates', j);
    IF ${S}.geo_ok(j) THEN RETURN j; END IF;
  END IF;
  IF how = 'wkt' THEN RETURN ${S}.fail(format('Cannot convert WKT "%s" to shape', t), NULL::jsonb); END IF;
  RETURN ${S}.fail(format('Cannot cast value \`%s\` to type \`geo_shape\`', t), NULL::jsonb);
END $$;

CREATE FUNCTION ${S}.geo_checked(g jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  IF ${S}.geo_ok(g) THEN RETURN g; END IF;
  RETURN ${S}.fail(format('Cannot cast value \`%s\` to type \`geo_shape\`', ${S}.json_text(g)), NULL::jsonb);
END $$;

-- A parameter: GeoJSON arrives as an object, WKT as text.
CREATE FUNCTION ${S}.geo_from_any(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE j jsonb;
BEGIN
  IF t ~ '^\\s*[{]' THEN
    BEGIN j := t::jsonb; EXCEPTION WHEN others THEN j := NULL; END;
    IF j IS NOT NULL THEN RETURN ${S}.geo_checked(j); END IF;
  END IF;
  RETURN ${S}.geo_from_text(t, 'cast');
END $$;

-- A geo_point from text (WKT) or a two-number array a parameter brought (\`[1, 2]\`, or PG's \`{1,2}\`).
CREATE FUNCTION ${S}.geo_point_of(t text) RETURNS point LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE m text[];
BEGIN
  m := coalesce(regexp_match(t, '^\\s*POINT\\s*\\(\\s*(-?[0-9.eE+-]+)\\s+(-?[0-9.eE+-]+)\\s*\\)\\s*$', 'i'),
                regexp_match(t, '^\\s*[{[]\\s*(-?[0-9.eE+-]+)\\s*,\\s*(-?[0-9.eE+-]+)\\s*[]}]\\s*$'));
  IF m IS NOT NULL THEN
    BEGIN
      IF abs(m[1]::float8) <= 180 AND abs(m[2]::float8) <= 90 THEN RETURN point(m[1]::float8, m[2]::float8); END IF;
    EXCEPTION WHEN invalid_text_representation THEN NULL;
    END;
  END IF;
  RETURN ${S}.fail(format('Cannot cast value \`%s\` to type \`geo_point\`', t), NULL::point);
END $$;
`;

/** The geometry functions, created with the engine (after `fail` and `json_text`, which they call). */
export const GEO_FUNCTIONS_SQL = [PARTS, POINTS, PIECES, RELATIONS, AREA, GEOHASH, CONVERSIONS].join('\n');
