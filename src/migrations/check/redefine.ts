/**
 * The new definition for a change CrateDB cannot make in place, written from the live table's SHOW CREATE
 * TABLE: the same statement with one column's type or fulltext analyzer changed, ready for a rebuild.
 * SHOW CREATE TABLE prints one column per line, indented by three spaces, continuation lines deeper.
 */
export type ColumnChange = { type: string } | { analyzer: string };

const COLUMN_CLAUSE = /\s(?:DEFAULT|NOT NULL|NULL|GENERATED|INDEX|CONSTRAINT|CHECK|STORAGE|PRIMARY KEY)\b|,$|$/;

/** null when the column is not found or its type spans lines (an object's sub-columns). */
export function redefine(shown: string, column: string, change: ColumnChange): string | null {
  const lines = shown.replace(/^CREATE TABLE IF NOT EXISTS /, 'CREATE TABLE ').split('\n');
  const prefix = `   "${column.replaceAll('"', '""')}" `;
  const start = lines.findIndex((l) => l.startsWith(prefix));
  if (start < 0) return null;
  let end = start;
  while (end + 1 < lines.length && /^ {4,}/.test(lines[end + 1]!)) end++;
  const block = lines.slice(start, end + 1).join('\n');
  let replaced: string;
  if ('type' in change) {
    const rest = lines[start]!.slice(prefix.length);
    const typeEnd = rest.search(COLUMN_CLAUSE);
    const type = rest.slice(0, typeEnd);
    if ((type.match(/\(/g)?.length ?? 0) !== (type.match(/\)/g)?.length ?? 0)) return null;
    replaced = [prefix + change.type + rest.slice(typeEnd), ...lines.slice(start + 1, end + 1)].join('\n');
  } else {
    const analyzer = `'${change.analyzer.replaceAll("'", "''")}'`;
    const index = `INDEX USING FULLTEXT WITH (analyzer = ${analyzer})`;
    if (/analyzer = '/.test(block)) replaced = block.replace(/analyzer = '(?:[^']|'')*'/, `analyzer = ${analyzer}`);
    else if (block.includes('INDEX USING FULLTEXT')) replaced = block.replace('INDEX USING FULLTEXT', index);
    else if (block.includes(' INDEX OFF')) replaced = block.replace(' INDEX OFF', ` ${index}`);
    else replaced = block.replace(/(,?)$/, ` ${index}$1`);
  }
  return [...lines.slice(0, start), replaced, ...lines.slice(end + 1)].join('\n');
}
