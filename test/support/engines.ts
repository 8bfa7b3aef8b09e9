/**
 * One test-server engine per CrateDB version per process. Starting PGlite costs ~2.5 s and ~0.8 GB, so
 * every `startCrate()` of a test file shares it; callers keep apart through their unique schemas.
 */
import type { CrateVersion, Engine } from '../server/contract.js';
import { createEngine } from '../server/engine/index.js';

const engines = new Map<CrateVersion, Promise<Engine>>();

/** The process's engine for `version`, started on first use; it lives until the process ends. */
export function engineFor(version: CrateVersion): Promise<Engine> {
  const existing = engines.get(version);
  if (existing !== undefined) return existing;
  const engine: Promise<Engine> = createEngine({ version });
  engines.set(version, engine);
  // A failed start must not be cached: the next caller tries again.
  engine.catch(() => engines.delete(version));
  return engine;
}
