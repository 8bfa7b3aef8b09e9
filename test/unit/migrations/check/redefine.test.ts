import { describe, expect, it } from 'vitest';
import { redefine } from '../../../../src/migrations/check/redefine.js';

// As CrateDB 6.4.3 printed it (12-introspection.json), with a column whose index is off.
const RICH = `CREATE TABLE IF NOT EXISTS "cm_intro"."rich" (
   "id" BIGINT NOT NULL,
   "code" VARCHAR(255),
   "note" TEXT INDEX OFF,
   "attrs" OBJECT(DYNAMIC) AS (
      "color" TEXT
   ),
   "qty" INTEGER DEFAULT 0,
   PRIMARY KEY ("id")
)
CLUSTERED BY ("id") INTO 2 SHARDS`;

describe('the new definition for a rebuild, from SHOW CREATE TABLE', () => {
  it('changes one column type, keeping its constraints, and names the table without IF NOT EXISTS', () => {
    const out = redefine(RICH, 'qty', { type: 'BIGINT' })!;
    expect(out.split('\n')[0]).toBe('CREATE TABLE "cm_intro"."rich" (');
    expect(out).toContain('   "qty" BIGINT DEFAULT 0,\n   PRIMARY KEY ("id")');
    expect(redefine(RICH, 'code', { type: 'TEXT' })).toContain('   "code" TEXT,\n');
    expect(redefine(RICH, 'id', { type: 'TEXT' })).toContain('   "id" TEXT NOT NULL,\n');
  });

  it('puts a fulltext index on a column, in place of INDEX OFF, and leaves a type that spans lines alone', () => {
    expect(redefine(RICH, 'note', { analyzer: 'english' })).toContain(`   "note" TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'),\n`);
    expect(redefine(RICH, 'code', { analyzer: 'german' })).toContain(`   "code" VARCHAR(255) INDEX USING FULLTEXT WITH (analyzer = 'german'),\n`);
    expect(redefine(RICH, 'attrs', { type: 'TEXT' })).toBeNull();
    expect(redefine(RICH, 'nope', { type: 'TEXT' })).toBeNull();
  });
});
