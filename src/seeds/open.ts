import { displayPath, type SeedFile } from './discover.js';
import type { SeedSource } from './formats/source.js';

/** Reads a seed's header (and for YAML/JSON its rows); rows of NDJSON and CSV stream later. `checksum`
 * tells a changed code seed from the version already imported in this process; only a code seed waits for
 * it. Each format's code is loaded when a seed of that format is opened (csv-parse with the first CSV
 * seed): a run loads only what its files need, and a `seed` process starts sooner. */
export async function openSeed(seed: SeedFile, rootDir: string, schema: string, checksum: Promise<string>): Promise<SeedSource> {
  const display = displayPath(rootDir, seed.path);
  switch (seed.format) {
    case 'yaml':
    case 'json':
      return (await import('./formats/document.js')).openDocumentSeed(seed.path, display, seed.name, schema);
    case 'ndjson':
      return (await import('./formats/ndjson.js')).openNdjsonSeed(seed.path, display, seed.name, schema);
    case 'csv':
      return (await import('./formats/csv.js')).openCsvSeed(seed.path, display, seed.name, schema,
        seed.sidecar ? { path: seed.sidecar, displayFile: displayPath(rootDir, seed.sidecar) } : undefined);
    case 'code':
      return (await import('./formats/code.js')).openCodeSeed(seed.path, display, schema, await checksum);
  }
}
