-- An english fulltext index on `author`, so that match(author, 'adams') finds Douglas Adams' books.
-- CrateDB cannot add one to an existing column (ALTER TABLE ... ADD INDEX and CREATE INDEX are syntax
-- errors), so the table is rebuilt (docs/rebuild.md): created anew under a temporary name, every row copied
-- in batches by key, the row counts compared, ALTER CLUSTER SWAP TABLE, the old table kept as
-- books__cm_backup for the down. Interrupted anywhere, the next `up` continues where it stopped.
--
-- Like `title`, `author` is then searched with match(), not with = or LIKE, and on CrateDB 6.x
-- GROUP BY author groups its analyzed tokens (adam, dougla, ...): count authors from SELECT author
-- (docs/cratedb-behaviour.md). The TypeScript form of this migration: examples/migrations/.

-- migrate:up
-- migrate:rebuild books keep_backup copy=key:id
CREATE TABLE books (
  id TEXT PRIMARY KEY,
  title TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'),
  author TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'),
  publication_date TIMESTAMP,
  categories ARRAY(TEXT)
);

-- migrate:down
-- migrate:rebuild-revert books
