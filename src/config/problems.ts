import { ConfigError, type ConfigProblem } from '../errors.js';

export type KeyPath = ReadonlyArray<string | number>;

/** `environments.production.servers[1]` */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(top level)' : out;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** `; did you mean 'history_table'?` for a near miss (typo, camelCase for snake_case), else ''. */
export function didYouMean(key: string, allowed: readonly string[]): string {
  const normalized = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    // A missing unit suffix (`request` for `request_ms`) counts as a near miss.
    const distance = candidate.startsWith(`${normalized}_`)
      ? 1
      : Math.min(editDistance(key, candidate), editDistance(normalized, candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : `; did you mean '${best}'?`;
}

/** Collects problems with their file and line, then throws them as one ConfigError. */
export class ProblemList {
  readonly items: ConfigProblem[] = [];

  constructor(
    private readonly file: string | undefined,
    private readonly lineOf: (path: KeyPath) => number | undefined = () => undefined,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Records a problem at `path`; its line is looked up unless given. */
  add(path: KeyPath, message: string, line = this.lineOf(path)): void {
    this.items.push({
      keyPath: formatKeyPath(path),
      message,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(line === undefined ? {} : { line }),
    });
  }

  /** Throws when anything was added. */
  throwIfAny(): void {
    if (this.items.length > 0) this.throwAll();
  }

  /** Throws what was added; for a caller that has just added at least one problem (the type says it throws). */
  throwAll(): never {
    // In file order, so the list reads top to bottom like the file (stable: same line keeps found order).
    this.items.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const lines = this.items.map((p) => {
      const where = p.file === undefined ? '' : `${p.file}${p.line === undefined ? '' : `:${p.line}`}: `;
      return `${where}${p.keyPath}: ${p.message}`;
    });
    const head =
      this.items.length === 1 ? 'Invalid configuration: ' : `Invalid configuration (${this.items.length} problems):\n  `;
    const first = this.items[0]!;
    throw new ConfigError(`${head}${lines.join('\n  ')}`, first.keyPath, first.file, first.line, {
      problems: this.items,
    });
  }
}
