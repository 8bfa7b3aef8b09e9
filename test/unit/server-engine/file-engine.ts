/**
 * One engine for a test file, reset before each of its tests: PGlite takes seconds to start, so the tests
 * of a file share it and keep apart by the reset. Statements run in one session of `crate`, schema `doc`;
 * `as(user)` gives another user's session.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { CrateVersion, Engine, Session } from '../../server/contract.js';
import { createEngine } from '../../server/engine/index.js';

export interface Body {
  cols?: string[];
  rows?: unknown[][];
  rowcount?: number;
  results?: Array<{ rowcount: number; error?: { code: number; message: string } }>;
  error?: { code: number; message: string };
}

export interface FileEngine {
  /** The answer to one statement: its HTTP status and body. */
  answer(stmt: string, args?: unknown[], bulkArgs?: unknown[][]): Promise<{ status: number; body: Body }>;
  /** The body alone. */
  sql(stmt: string, args?: unknown[], bulkArgs?: unknown[][]): Promise<Body>;
  /** `sql` in a session of another user (one of `users`). */
  as(user: string): (stmt: string, args?: unknown[]) => Promise<Body>;
  /** The engine itself (authenticate, ...), once the file's hooks have run. */
  engine(): Engine;
}

/** Registers the file's hooks; call it inside the `describe` whose tests use the engine. */
export function engineForFile(version: CrateVersion = '6.4', users: Record<string, string> = {}): FileEngine {
  let engine: Engine;
  const session: Session = { id: 1, schema: 'doc', user: 'crate' };
  beforeAll(async () => {
    engine = await createEngine({ version, users });
  });
  afterAll(async () => {
    await engine?.close();
  });
  beforeEach(async () => {
    await engine.reset();
  });
  const answer: FileEngine['answer'] = async (stmt, args, bulkArgs) =>
    (await engine.execute({ stmt, ...(args ? { args } : {}), ...(bulkArgs ? { bulkArgs } : {}), types: false, session })) as {
      status: number;
      body: Body;
    };
  let sessions = 1;
  const as: FileEngine['as'] = (user) => {
    const own: Session = { id: ++sessions, schema: 'doc', user };
    return async (stmt, args) => (await engine.execute({ stmt, ...(args ? { args } : {}), types: false, session: own })).body as Body;
  };
  return { answer, sql: async (stmt, args, bulkArgs) => (await answer(stmt, args, bulkArgs)).body, as, engine: () => engine };
}
