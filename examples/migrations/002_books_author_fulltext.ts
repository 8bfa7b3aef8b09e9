/**
 * Adds an english fulltext index to `author` of the tutorial's books (migrations/001_create_books.sql),
 * which CrateDB cannot do in place (`ALTER TABLE ... ADD INDEX` and `ALTER COLUMN ... SET (analyzer)` are
 * syntax errors): the table is rebuilt with the new definition and every row copied. Afterwards
 * `match(author, 'adams')` finds Douglas Adams' books; like `title`, `author` is then found with match(),
 * not with = or LIKE, and GROUP BY author groups analyzed tokens on CrateDB 6.x.
 *
 * The same as a SQL migration (docs/rebuild.md):
 *   -- migrate:up
 *   -- migrate:rebuild books keep_backup
 *   CREATE TABLE books (...as below...);
 *   -- migrate:down
 *   -- migrate:rebuild-revert books
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
