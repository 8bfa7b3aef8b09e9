/**
 * The TypeScript form of migrations/002_books_author_fulltext.sql: an english fulltext index on `author` of
 * the tutorial's books, which CrateDB cannot add in place (`ALTER TABLE ... ADD INDEX` and `CREATE INDEX` are
 * syntax errors), so the table is rebuilt with the new definition and every row copied (docs/rebuild.md).
 * Afterwards `match(author, 'adams')` finds Douglas Adams' books; like `title`, `author` is then found with
 * match(), not with = or LIKE, and GROUP BY author groups analyzed tokens on CrateDB 6.x.
 * Use one of the two forms in a project, not both: put this file in migrations/ in place of the SQL one.
 */
import type { MigrationContext } from 'cratedb-migrate';

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.rebuildTable({
    table: 'books',
    definition: `CREATE TABLE books (
      id TEXT PRIMARY KEY,
      title TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'),
      author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'),
      publication_date TIMESTAMP,
      categories ARRAY(TEXT)
    )`,
    keepBackup: true,
  });
}

/** The reverse swap: the kept old table comes back; rows written since the rebuild are dropped with it. */
export async function down(ctx: MigrationContext): Promise<void> {
  await ctx.revertRebuild('books');
}
