/**
 * Geo values as CrateDB accepts them: a geo_point from `[lon, lat]`, WKT `POINT (x y)` or GeoJSON; a
 * geo_shape from GeoJSON or WKT (stored as GeoJSON, which is what CrateDB returns).
 */
import type { CrateType } from './types.js';
import { castError, type Source } from './values.js';

/** A geo_point as [lon, lat]. */
export function geoPoint(value: unknown, target: CrateType, src: Source): unknown {
  if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === 'number')) return value;
  if (typeof value === 'string') {
    const m = /^\s*POINT\s*\(\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\)\s*$/i.exec(value);
    if (m) return [Number(m[1]), Number(m[2])];
  }
  if (typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Point') {
    return (value as { coordinates: number[] }).coordinates;
  }
  throw castError(value, target, src);
}

/** A geo_shape as GeoJSON. */
export function geoShape(value: unknown, target: CrateType, src: Source): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string') return value;
  if (typeof value === 'string') {
    const shape = parseWkt(value);
    if (shape) return shape;
  }
  throw castError(value, target, src);
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
  return { type: types[kind], coordinates: coords };
}

