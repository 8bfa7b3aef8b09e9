import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.js';

describe('ManualClock', () => {
  it('moves only when advanced or set, and never backwards by advance', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    clock.set(5);
    expect(clock.now()).toBe(5);
  });
});
