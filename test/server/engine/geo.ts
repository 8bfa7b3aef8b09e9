/**
 * Geo values as CrateDB accepts them: a geo_point from `[lon, lat]` or WKT `POINT (x y)`; a
 * geo_shape from GeoJSON or WKT (stored as GeoJSON, which is what CrateDB returns).
 */
import type { CrateType } from './types.js';
import { castError, type Source } from './values.js';

/** A geo_point as [lon, lat]. */
export function geoPoint(value: unknown, target: CrateType, src: Source): unknown {
  // GeoPointType.implicitCast: two numbers or WKT, and the point on the globe; anything else (a
  // GeoJSON object, three numbers, lon 200) is a failed cast.
  let point: number[] | undefined;
  if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === 'number')) point = value;
  if (typeof value === 'string') {
    const m = /^\s*POINT\s*\(\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\)\s*$/i.exec(value);
    if (m) point = [Number(m[1]), Number(m[2])];
  }
  const [lon, lat] = point ?? [];
  if (lon === undefined || lat === undefined || !(Math.abs(lon) <= 180 && Math.abs(lat) <= 90)) throw castError(value, target, src);
  return point;
}

/** A geo_shape as GeoJSON. */
export function geoShape(value: unknown, target: CrateType, src: Source): unknown {
  const shape = typeof value === 'string' ? parseWkt(value) : value;
  if (!isShape(shape)) throw castError(value, target, src);
  return shape;
}

const POSITION_DEPTH: Record<string, number> = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 };

/** GeoJSONUtils' type names: as GeoJSON spells them or all in lower case. */
function geoJsonType(type: unknown): string | undefined {
  if (typeof type !== 'string') return undefined;
  return [...Object.keys(POSITION_DEPTH), 'GeometryCollection'].find((t) => t === type || t.toLowerCase() === type);
}

/**
 * What GeoJSONUtils.validateGeoJson and JTS's WKT reader let through: a known type with coordinates
 * nested as deep as it needs, on the globe (the shape factory's verifyX / verifyY), a line of two
 * points or more, rings closed and of four points or more.
 */
export function isShape(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { type: written, coordinates, geometries } = v as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  const type = geoJsonType(written);
  if (type === 'GeometryCollection') return Array.isArray(geometries) && geometries.every(isShape);
  const depth = type === undefined ? undefined : POSITION_DEPTH[type];
  if (depth === undefined) return false;
  const position = (p: unknown): boolean =>
    Array.isArray(p) && p.length >= 2 && p.every((x) => typeof x === 'number') && Math.abs(p[0] as number) <= 180 && Math.abs(p[1] as number) <= 90;
  const line = (l: unknown, min: number): l is unknown[][] => Array.isArray(l) && l.length >= min && l.every(position);
  const ring = (r: unknown): boolean => line(r, 4) && r[0]!.every((x, i) => x === r[r.length - 1]![i]);
  const polygon = (p: unknown): boolean => Array.isArray(p) && p.length >= 1 && p.every(ring);
  const all = (xs: unknown, each: (x: unknown) => boolean): boolean => Array.isArray(xs) && xs.length >= 1 && xs.every(each);
  switch (depth) {
    case 0:
      return position(coordinates);
    case 1:
      return type === 'LineString' ? line(coordinates, 2) : all(coordinates, position);
    case 2:
      return type === 'Polygon' ? polygon(coordinates) : all(coordinates, (l) => line(l, 2));
    default:
      return all(coordinates, polygon);
  }
}

/** WKT (POINT, LINESTRING, POLYGON and their MULTI forms) to GeoJSON. */
export function parseWkt(s: string): Record<string, unknown> | undefined {
  const m = /^\s*(POINT|LINESTRING|POLYGON|MULTIPOINT|MULTILINESTRING|MULTIPOLYGON)\s*(\(.*\))\s*$/is.exec(s);
  if (!m) return undefined;
  const kind = m[1]!.toUpperCase();
  const body = m[2]!;
  const json = body
    .replace(/(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)/g, '[$1,$2]')
    .replace(/\(/g, '[')
    .replace(/\)/g, ']');
  let coords: unknown;
  try {
    coords = JSON.parse(json);
  } catch {
    return undefined;
  }
  const types: Record<string, string> = {
    POINT: 'Point', LINESTRING: 'LineString', POLYGON: 'Polygon', MULTIPOINT: 'MultiPoint', MULTILINESTRING: 'MultiLineString', MULTIPOLYGON: 'MultiPolygon',
  };
  if (kind === 'POINT') coords = (coords as unknown[])[0];
  // `MULTIPOINT ((1 2), (3 4))` is the same as `MULTIPOINT (1 2, 3 4)`.
  if (kind === 'MULTIPOINT' && Array.isArray(coords)) coords = coords.map((p) => (Array.isArray(p) && p.length === 1 && Array.isArray(p[0]) ? p[0] : p));
  return { type: types[kind], coordinates: coords };
}

