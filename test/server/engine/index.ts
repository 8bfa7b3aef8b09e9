/**
 * The SQL engine of the CrateDB test server: CrateDB's dialect, answers and semantics (visibility,
 * `_seq_no`, bulk results, privileges) on top of PGlite. See engine.ts.
 */
import type { Clock, CrateVersion, Engine } from '../contract.js';
import { PgliteEngine } from './engine.js';
import type { ClusterView } from './state.js';

export type { ClusterView, ShardInfo } from './state.js';
export { VERSIONS, type VersionInfo } from './version.js';

/** Starts an engine (one PGlite instance, ~2.5 s). */
export function createEngine(options: {
  version?: CrateVersion;
  clock?: Clock;
  /** name -> password (or a list); they survive `reset()` and start without privileges. */
  users?: Record<string, string> | Array<{ name: string; password?: string }>;
  cluster?: ClusterView;
}): Promise<Engine> {
  return PgliteEngine.create(options);
}
