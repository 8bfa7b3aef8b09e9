/**
 * Timestamps as CrateDB reads them (TimestampType): a string of digits is epoch milliseconds; otherwise an ISO
 * local date, optionally followed by `T` or a space and a time `HH:mm[:ss[.fraction]]`, optionally followed by
 * an offset (`Z`, `+02`, `+0200`, `+02:00`). WITHOUT TIME ZONE drops the offset (10:00+02:00 is stored as
 * 10:00), WITH TIME ZONE converts it (08:00 UTC); no offset means UTC. Fractions below a millisecond are cut.
 * A JSON number is epoch milliseconds when integral and seconds when it has a fraction (CrateDB reads a
 * double as seconds).
 */

const ISO =
  /^([+-]?\d{4,9})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Epoch milliseconds, or undefined when `text` is not a timestamp CrateDB would accept. */
export function parseTimestamp(text: string, withTimeZone: boolean): number | undefined {
  if (/^[+-]?\d+$/.test(text)) return safeInteger(Number(text));
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number, number, number, number, number, number,
  ];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // A strict resolver: 1979-02-30 or 25:00 must fail, not roll over into the next month or day.
  if (
    date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day ||
    date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  const offset = m[8];
  if (!withTimeZone || offset === undefined || offset.toUpperCase() === 'Z') return date.getTime();
  const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset)!;
  const minutes = Number(o[2]) * 60 + Number(o[3] ?? 0);
  if (minutes > 18 * 60) return undefined;
  return date.getTime() - (o[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/** A JSON number as CrateDB's TimestampType reads it. */
export function timestampFromNumber(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  return Number.isInteger(value) ? safeInteger(value) : Math.trunc(value * 1000);
}

function safeInteger(n: number): number | undefined {
  return Number.isSafeInteger(n) ? n : undefined;
}
