-- The tutorial's books table, in the configured schema (`schema` in crate.config.yaml, default doc).
-- `title` has a fulltext index with the english analyzer. It can only be declared when the table is
-- created (CrateDB cannot add one later), and it replaces the column's plain index: find titles with
-- match(title, '...'), not with = or LIKE.

-- migrate:up
CREATE TABLE IF NOT EXISTS books (
  id TEXT PRIMARY KEY,
  title TEXT INDEX USING FULLTEXT WITH (analyzer = 'english'),
  author TEXT,
  publication_date TIMESTAMP,
  categories ARRAY(TEXT)
);

-- migrate:down
DROP TABLE IF EXISTS books;
