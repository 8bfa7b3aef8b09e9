import type { SeedFailure } from './types.js';

/** Failure details kept per seed; the counts stay exact beyond it. */
const MAX_FAILURES = 1000;

/** Row counts of one seed as they accumulate. Every row read ends up in exactly one count. */
export class SeedAccount {
  rows = 0;
  written = 0;
  unchanged = 0;
  skipped = 0;
  failed = 0;
  readonly failures: SeedFailure[] = [];

  fail(failure: SeedFailure): void {
    this.failed++;
    if (this.failures.length < MAX_FAILURES) this.failures.push(failure);
  }

  /** Rows whose outcome is known (written, unchanged, skipped or failed). */
  get done(): number {
    return this.written + this.unchanged + this.skipped + this.failed;
  }
}
