import { createRequire } from 'node:module';
import { Pool } from 'undici';
import { expect, it } from 'vitest';

// src/client/transport.ts loads undici's Pool from its own file, not undici's index, to start faster. An
// undici release that moves or renames that file must fail here, not at a user's first request.
it("the Pool file transport.ts loads is the very Pool undici's index exports", () => {
  const deep = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as unknown;
  expect(deep).toBe(Pool);
});
