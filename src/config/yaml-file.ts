import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { KeyPath } from './problems.js';

/** A parsed YAML file that can say on which line a key path is. */
export interface YamlFile {
  data: unknown;
  /** 1-based line of the key (or list item) at `path`; of its nearest existing parent when it is missing. */
  lineOf(path: KeyPath): number | undefined;
  /** YAML syntax errors; `data` is undefined when there are any. */
  syntaxErrors: Array<{ line: number; message: string }>;
}

function childOf(doc: Document, node: unknown, part: string | number): { node: unknown; offset?: number } | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(target)) {
    const pair = target.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(part));
    if (pair === undefined) return undefined;
    const keyRange = (pair.key as Node | null)?.range;
    return { node: pair.value, ...(keyRange ? { offset: keyRange[0] } : {}) };
  }
  if (isSeq(target) && typeof part === 'number') {
    const item = target.items[part] as Node | undefined;
    if (item === undefined) return undefined;
    return { node: item, ...(item.range ? { offset: item.range[0] } : {}) };
  }
  return undefined;
}

/** Parses YAML text, keeping line positions. `merge: true` allows `<<: *anchor` to share blocks. */
export function parseYamlFile(text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  const syntaxErrors = doc.errors.map((error) => ({
    line: lineCounter.linePos(error.pos[0]).line,
    message: `YAML syntax error: ${error.message.split('\n')[0]}`,
  }));
  const lineOf = (path: KeyPath): number | undefined => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0];
    for (const part of path) {
      const child = childOf(doc, node, part);
      if (child === undefined) break;
      node = child.node;
      if (child.offset !== undefined) offset = child.offset;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return { data: syntaxErrors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 }), lineOf, syntaxErrors };
}
