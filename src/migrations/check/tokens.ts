import type { SqlGrammar } from '../sql-grammar.js';

/**
 * A statement as CrateDB's lexer sees it, visible tokens only: the check reads statements at this level
 * because CrateDB's parser (and the older one in @cratedb/cratedb-sqlparse) refuses exactly the statements
 * the check must name (`ALTER COLUMN ... TYPE`, `CREATE INDEX`), so a parse tree is not available for them.
 */
export interface Tok {
  /** The token's text as written. */
  text: string;
  /** Upper-case text, for keyword comparisons (never true for a quoted identifier). */
  upper: string;
  /** A name's value: quotes stripped for a quoted identifier, folded to lower case otherwise (as CrateDB does). */
  name: string;
  quoted: boolean;
  /** 1-based line within the statement text. */
  line: number;
}

export interface NameRef {
  schema: string | null;
  name: string;
}

const WORD = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** The statement's visible tokens (whitespace and comments dropped). A keyword the lexer reads as one token
 * with a space inside (`PRIMARY KEY`) becomes one token per word, so that rules match words. */
export function tokensOf(grammar: SqlGrammar, sql: string): Tok[] {
  return grammar
    .tokenize(sql)
    .filter((t) => t.channel === 0)
    .flatMap((t): Tok[] => {
      if (t.type === grammar.types.quotedIdentifier) {
        return [{ text: t.text, upper: '', name: t.text.slice(1, -1).replaceAll('""', '"'), quoted: true, line: t.line }];
      }
      const words = /^[A-Za-z_]/.test(t.text) ? t.text.split(/\s+/) : [t.text];
      return words.map((w) => ({ text: w, upper: w.toUpperCase(), name: w.toLowerCase(), quoted: false, line: t.line }));
    });
}

/** Whether `toks[at...]` are the given keywords, in order. */
export function isSeq(toks: readonly Tok[], at: number, ...words: string[]): boolean {
  return words.every((w, i) => toks[at + i]?.upper === w);
}

/** Index of the first top-level occurrence of the keyword sequence from `from` on, or -1. */
export function findSeq(toks: readonly Tok[], from: number, ...words: string[]): number {
  let depth = 0;
  for (let i = from; i < toks.length; i++) {
    const t = toks[i]!.text;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') depth--;
    else if (depth === 0 && isSeq(toks, i, ...words)) return i;
  }
  return -1;
}

/** A token that can be a name: an identifier, a non-reserved keyword used as one, or a quoted identifier. */
export function isNameToken(t: Tok | undefined): t is Tok {
  return t !== undefined && (t.quoted || WORD.test(t.text));
}

/** Reads `name` or `schema.name` at `at`; `next` is the index after it. */
export function readName(toks: readonly Tok[], at: number): { ref: NameRef; next: number } | null {
  const first = toks[at];
  if (!isNameToken(first)) return null;
  if (toks[at + 1]?.text === '.' && isNameToken(toks[at + 2])) {
    return { ref: { schema: first.name, name: toks[at + 2]!.name }, next: at + 3 };
  }
  return { ref: { schema: null, name: first.name }, next: at + 1 };
}

/** Index of the parenthesis closing the one at `open`, or the last index when it is never closed. */
export function closing(toks: readonly Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const t = toks[i]!.text;
    if (t === '(' || t === '[') depth++;
    else if (t === ')' || t === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return toks.length - 1;
}

/** Splits `toks[from, to)` at top-level commas. */
export function splitTopLevel(toks: readonly Tok[], from: number, to: number): Tok[][] {
  const parts: Tok[][] = [];
  let current: Tok[] = [];
  let depth = 0;
  for (let i = from; i < to; i++) {
    const t = toks[i]!;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (depth === 0 && t.text === ',') {
      parts.push(current);
      current = [];
    } else current.push(t);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** The names inside `(a, "b", c)` at `open`. */
export function nameList(toks: readonly Tok[], open: number): { names: string[]; next: number } {
  const end = closing(toks, open);
  const names = splitTopLevel(toks, open + 1, end).flatMap((part) => (isNameToken(part[0]) ? [part[0].name] : []));
  return { names, next: end + 1 };
}

/** `WITH (key = value, ...)` at `open` (the parenthesis): keys folded, values as written without quotes. */
export function propertyList(toks: readonly Tok[], open: number): { props: Record<string, string>; next: number } {
  const end = closing(toks, open);
  const props: Record<string, string> = {};
  for (const part of splitTopLevel(toks, open + 1, end)) {
    const eq = part.findIndex((t) => t.text === '=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).map((t) => t.name).join('');
    props[key] = part
      .slice(eq + 1)
      .map((t) => (t.text.startsWith("'") ? t.text.slice(1, -1).replaceAll("''", "'") : t.text))
      .join(' ');
  }
  return { props, next: end + 1 };
}
