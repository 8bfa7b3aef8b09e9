import { expect } from 'vitest';

/** The error `promise` rejects with, checked to be a `type`; fails the test when it resolves. */
export async function caught<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as T;
}
