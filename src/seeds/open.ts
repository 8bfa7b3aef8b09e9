import { displayPath, type SeedFile } from './discover.js';
import { openCodeSeed } from './formats/code.js';
import { openDocumentSeed } from './formats/document.js';
import { openNdjsonSeed } from './formats/ndjson.js';
import type { SeedSource } from './formats/source.js';

/** Reads a seed's header (and for YAML/JSON its rows); rows of NDJSON and CSV stream later. `checksum`
 * tells a changed code seed from the version already imported in this process. */
export function openSeed(seed: SeedFile, rootDir: string, schema: string, checksum: string): Promise<SeedSource> {
  const display = displayPath(rootDir, seed.path);
  switch (seed.format) {
    case 'yaml':
    case 'json':
      return openDocumentSeed(seed.path, display, seed.name, schema);
    case 'ndjson':
      return openNdjsonSeed(seed.path, display, seed.name, schema);
    case 'csv':
      // csv-parse is loaded when a CSV seed is opened, not with the seeder: most runs have none.
      return import('./formats/csv.js').then(({ openCsvSeed }) => openCsvSeed(seed.path, display, seed.name, schema,
        seed.sidecar ? { path: seed.sidecar, displayFile: displayPath(rootDir, seed.sidecar) } : undefined));
    case 'code':
      return openCodeSeed(seed.path, display, schema, checksum);
  }
}
