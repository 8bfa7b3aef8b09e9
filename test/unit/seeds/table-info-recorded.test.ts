/**
 * The seeder's reading of column types (src/seeds/table-info.ts, column-types.ts) against the
 * information_schema.columns answers real CrateDB 6.4.3 and 5.10.16 gave (../shared/cratedb/transcripts*:
 * 10-types, 11-ddl-limits, 12-introspection). The recorded rows are fed to readTableInfo through a client
 * that answers its two queries from them, so a change of CrateDB's shapes between versions (is_nullable
 * text or boolean, a dynamic sub-column typed `bigint`) shows here. Skipped, visibly, when the transcripts
 * are not next to the project (a clone without the workspace).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CrateClient, SqlResult } from '../../../src/client/types.js';
import { buildColumnTypes, type ColumnType } from '../../../src/seeds/column-types.js';
import { readTableInfo } from '../../../src/seeds/table-info.js';
import { loadTranscripts, type TranscriptStep } from '../../conformance/replay.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const shared = path.resolve(root, '..', 'shared', 'cratedb');
const versions = [
  { version: '6.4', dir: path.join(shared, 'transcripts') },
  { version: '5.10', dir: path.join(shared, 'transcripts-5.10') },
];

interface Answer {
  cols: string[];
  rows: unknown[][];
}

/** The recorded answer of the step whose statement matches, as columns and rows. */
function recorded(dir: string, file: string, stmt: RegExp): Answer {
  const transcript = loadTranscripts(dir).find((t) => t.file === file);
  const step = transcript?.steps.find((s: TranscriptStep) => stmt.test(String((s.request.body as { stmt?: string } | undefined)?.stmt ?? '')));
  if (!step) throw new Error(`no step matching ${stmt} in ${dir}/${file}`);
  return step.response.body as Answer;
}

/** Recorded rows as the named columns, in that order (null where the recording lacks one). */
function project(answer: Answer, names: string[], keep: (row: Record<string, unknown>) => boolean = () => true): unknown[][] {
  return answer.rows
    .map((r) => Object.fromEntries(answer.cols.map((c, i) => [c, r[i]])))
    .filter(keep)
    .map((row) => names.map((n) => row[n] ?? null));
}

/** A client answering readTableInfo's information_schema queries with recorded rows. */
function recordedClient(columns: unknown[][], keys: unknown[][]): CrateClient {
  const answer = (rows: unknown[][]): SqlResult => ({ cols: [], rows, rowcount: rows.length, durationMs: 0 });
  return {
    sql: async (stmt: string) => {
      if (stmt.includes('information_schema.columns')) return answer(columns);
      if (stmt.includes('information_schema.key_column_usage')) return answer(keys);
      throw new Error(`unexpected statement: ${stmt}`);
    },
  } as unknown as CrateClient;
}

function kinds(types: Map<string, ColumnType>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (prefix: string, t: ColumnType): void => {
    out[prefix] = t.kind === 'array' ? `array of ${t.element.kind}` : t.kind;
    if (t.kind === 'object') for (const [k, c] of t.children) walk(`${prefix}.${k}`, c);
    if (t.kind === 'array' && t.element.kind === 'object') for (const [k, c] of t.element.children) walk(`${prefix}[].${k}`, c);
  };
  for (const [k, t] of types) walk(k, t);
  return out;
}

for (const { version, dir } of versions) {
  describe(`seeds read CrateDB ${version}'s recorded information_schema.columns`, () => {
    const present = existsSync(dir);
    const skipUnlessRecorded = (ctx: { skip: (reason: string) => void }): void => {
      if (!present) ctx.skip(`the recorded transcripts are not at ${dir} (they live next to the project in its workspace)`);
    };

    it('types, defaults, generated columns and the key of a table with every common column kind', async (ctx) => {
      skipUnlessRecorded(ctx);
      const columns = recorded(dir, '12-introspection.json', /information_schema\.columns .*table_name = 'rich' ORDER BY/);
      const keys = recorded(dir, '12-introspection.json', /information_schema\.key_column_usage/);
      const client = recordedClient(
        project(columns, ['column_name', 'data_type', 'character_maximum_length', 'column_default', 'is_generated']),
        project(keys, ['column_name'], (r) => r.table_name === 'rich'),
      );
      const info = await readTableInfo(client, { schema: 'cm_intro', table: 'rich' });
      expect(info.exists).toBe(true);
      expect(info.primaryKey).toEqual(['id']);
      expect(kinds(info.columns)).toEqual({
        id: 'integer', name: 'text', code: 'text', qty: 'integer', total: 'integer', price: 'float', active: 'boolean',
        created_at: 'timestamp', local_at: 'timestamp', tags: 'array of text', attrs: 'object', 'attrs.color': 'text',
        loc: 'geo_point', qty2: 'integer',
      });
      expect(info.columns.get('code')).toMatchObject({ kind: 'text', maxLength: 255 });
      expect(info.columns.get('id')).toMatchObject({ name: 'bigint', max: 9223372036854775807n });
      expect(info.columns.get('created_at')).toMatchObject({ withTimeZone: true });
      expect(info.columns.get('local_at')).toMatchObject({ withTimeZone: false });
      // DEFAULT 0, DEFAULT true, DEFAULT now() and the generated column are filled by CrateDB itself.
      expect([...info.filled].sort()).toEqual(['active', 'created_at', 'qty', 'qty2']);
      expect([...info.generated]).toEqual(['qty2']);
    });

    it('every type of the types table, sized types and object children through arrays', (ctx) => {
      skipUnlessRecorded(ctx);
      const answer = recorded(dir, '10-types.json', /character_maximum_length, numeric_precision FROM information_schema\.columns/);
      const rows = project(answer, ['column_name', 'data_type', 'character_maximum_length'])
        .map(([p, t, l]) => ({ path: String(p), dataType: String(t), maxLength: l as number | null }));
      const types = buildColumnTypes(rows);
      expect(kinds(types)).toEqual({
        id: 'integer', b: 'boolean', s: 'integer', i: 'integer', l: 'integer', r: 'float', d: 'float', n: 'numeric',
        t: 'text', v: 'text', c: 'text', ip: 'ip', tz: 'timestamp', ntz: 'timestamp', o: 'object', 'o.a': 'integer',
        'o.b': 'text', od: 'object', oi: 'object', ai: 'array of integer', ao: 'array of object', 'ao[].x': 'integer',
        gp: 'geo_point', gs: 'other', fv: 'float_vector', bits: 'bit',
      });
      expect(types.get('v')).toMatchObject({ maxLength: 5 });
      expect(types.get('c')).toMatchObject({ maxLength: 3 });
      expect(types.get('fv')).toMatchObject({ dimensions: 3 });
      expect(types.get('bits')).toMatchObject({ length: 4 });
      expect(types.get('s')).toMatchObject({ min: -32768n, max: 32767n });
    });

    it('sub-columns a dynamic object gained from inserts, and columns after drop, add and rename', (ctx) => {
      skipUnlessRecorded(ctx);
      const dynamic = recorded(dir, '10-types.json', /column_name LIKE 'od%'/);
      const od = buildColumnTypes(project(dynamic, ['column_name', 'data_type']).map(([p, t]) => ({ path: String(p), dataType: String(t) })));
      expect(kinds(od)).toEqual({ od: 'object', 'od.brand_new': 'text', 'od.k': 'array of integer', 'od.nested': 'object', 'od.nested.z': 'boolean' });
      const later = recorded(dir, '12-introspection.json', /ordinal positions|column_name, ordinal_position, data_type FROM information_schema\.columns .*'rich'/);
      const rich = buildColumnTypes(project(later, ['column_name', 'data_type']).map(([p, t]) => ({ path: String(p), dataType: String(t) })));
      expect(rich.has('total')).toBe(false);
      expect(rich.get('unit_price')).toMatchObject({ kind: 'float' });
      expect(kinds(rich)['attrs.size']).toBe('integer');
    });
  });
}
