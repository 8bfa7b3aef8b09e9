import { expect } from 'vitest';
import { SeedError } from '../../src/errors.js';
import type { SeedRunResult } from '../../src/seeds/types.js';

/** The error `promise` rejects with, checked to be a `type`; fails the test when it resolves. */
export async function caught<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as T;
}

/** A seed run's result, whether the run succeeded or threw `SeedError` (which carries the same result). */
export async function seedOutcome(run: Promise<SeedRunResult>): Promise<{ result: SeedRunResult; error?: SeedError }> {
  try {
    return { result: await run };
  } catch (err) {
    if (!(err instanceof SeedError)) throw err;
    return { result: err.result as SeedRunResult, error: err };
  }
}
