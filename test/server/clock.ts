import type { Clock } from './contract.js';

/** The wall clock. */
export const realClock: Clock = { now: () => Date.now() };

/**
 * A clock that moves only when told to, so tests of `refresh_interval`, lease expiry and `now()` do
 * not sleep. Starts at the real time unless given a start (epoch ms).
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` (never backwards: CrateDB's clock does not go back either). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.#now += ms;
  }

  /** Sets the clock to an absolute epoch-ms time. */
  set(epochMs: number): void {
    this.#now = epochMs;
  }
}
