import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { FileFormatError, UsageError } from '../errors.js';

export type SeedFileFormat = 'yaml' | 'json' | 'ndjson' | 'csv' | 'code';

/** A seed file found in `seeds/` or `seeds/<env>/`. */
export interface SeedFile {
  /** File name without extension: the seed's name in `only`, the tracking table and messages. */
  name: string;
  /** Absolute path. */
  path: string;
  format: SeedFileFormat;
  /** A CSV's `<name>.csv.yaml` header, absolute. */
  sidecar?: string;
}

/** The path shown in messages and results: relative to the project root. */
export function displayPath(rootDir: string, file: string): string {
  return path.relative(rootDir, file) || file;
}

const FORMATS: Array<[RegExp, SeedFileFormat]> = [
  [/\.ya?ml$/i, 'yaml'],
  [/\.json$/i, 'json'],
  [/\.(?:ndjson|jsonl)$/i, 'ndjson'],
  [/\.csv$/i, 'csv'],
  [/\.(?:m?ts|m?js)$/i, 'code'],
];
const SIDECAR = /\.csv\.ya?ml$/i;

/**
 * Every seed in `seedsDir` and `seedsDir/<env>/`, in name order. Other subdirectories (other environments)
 * are ignored, and so are files of other kinds (a README). A name found twice is an error: the tracking
 * table keys seeds by name, so two files cannot share one.
 */
export async function discoverSeeds(seedsDir: string, env: string): Promise<SeedFile[]> {
  const found = [...(await listDir(seedsDir)), ...(await listDir(path.join(seedsDir, env)))];
  const byName = new Map<string, SeedFile>();
  for (const seed of found) {
    const other = byName.get(seed.name);
    if (other) {
      throw new FileFormatError(
        `two seeds are named "${seed.name}": ${other.path} and ${seed.path}; rename one (names must be unique)`,
        seed.path,
      );
    }
    byName.set(seed.name, seed);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function listDir(dir: string): Promise<SeedFile[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FileFormatError(
      `cannot read the seeds directory ${dir}: ${(err as Error).message}; check \`seeds\` in the config or --seeds-dir`,
      dir,
      undefined,
      { cause: err },
    );
  }
  const files = new Set(entries);
  const seeds: SeedFile[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.') || /\.d\.m?ts$/i.test(entry)) continue;
    if (SIDECAR.test(entry)) {
      if (!files.has(entry.replace(/\.ya?ml$/i, ''))) {
        throw new FileFormatError(`${path.join(dir, entry)}: header for a CSV file that does not exist`, path.join(dir, entry));
      }
      continue;
    }
    const format = FORMATS.find(([re]) => re.test(entry))?.[1];
    if (!format) continue;
    const seed: SeedFile = { name: entry.replace(/\.[^.]+$/, ''), path: path.join(dir, entry), format };
    if (format === 'csv') {
      const sidecar = [`${entry}.yaml`, `${entry}.yml`].find((s) => files.has(s));
      if (sidecar) seed.sidecar = path.join(dir, sidecar);
    }
    seeds.push(seed);
  }
  return seeds;
}

/** Picks seeds by name; an unknown name is a `UsageError` listing the available ones. */
export function selectSeeds(seeds: SeedFile[], only: readonly string[] | undefined): SeedFile[] {
  if (only === undefined) return seeds;
  const names = new Set(seeds.map((s) => s.name));
  const unknown = only.filter((n) => !names.has(n));
  if (unknown.length > 0) {
    const available = seeds.length > 0 ? seeds.map((s) => s.name).join(', ') : '(none)';
    throw new UsageError(`unknown seed ${unknown.map((n) => `"${n}"`).join(', ')}; available: ${available}`);
  }
  const wanted = new Set(only);
  return seeds.filter((s) => wanted.has(s.name));
}

/** SHA-256 hex of the seed file and its sidecar, streamed (seed files can be large). */
export async function checksumOf(seed: SeedFile): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [seed.path, seed.sidecar]) {
    if (file === undefined) continue;
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
