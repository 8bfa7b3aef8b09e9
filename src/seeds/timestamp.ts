/**
 * Timestamps as CrateDB reads them (TimestampType): a string of digits is epoch milliseconds; otherwise an ISO
 * local date, optionally followed by `T` or a space and a time `HH:mm[:ss[.fraction]]`, optionally followed by
 * an offset (`Z`, `+02`, `+0200`, `+02:00`). WITHOUT TIME ZONE drops the offset (10:00+02:00 is stored as
 * 10:00), WITH TIME ZONE converts it (08:00 UTC); no offset means UTC. Fractions below a millisecond are cut.
 * A JSON number is epoch milliseconds when integral and seconds when it has a fraction (CrateDB reads a
 * double as seconds).
 */

const DIGITS = /^[+-]?\d+$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds, or undefined when `text` is not a timestamp CrateDB would accept. The grammar is
 * `[+-]yyyy[yyyyy]-MM-dd[(T|t| )HH:mm[:ss[.f{1,9}]][Z|z|(+|-)HH[[:]mm]]]`, read with char codes rather than a
 * regular expression: this runs for every timestamp value of every seed row, and the regular expression took
 * most of a row's conversion time.
 */
export function parseTimestamp(text: string, withTimeZone: boolean): number | undefined {
  if (DIGITS.test(text)) return safeInteger(Number(text));
  const n = text.length;
  let i = text.charCodeAt(0) === PLUS || text.charCodeAt(0) === MINUS ? 1 : 0;
  const yearStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i - yearStart < 4 || i - yearStart > 9 || text.charCodeAt(i) !== MINUS) return undefined;
  const year = Number(text.slice(0, i));
  const month = twoDigits(text, i + 1);
  const day = text.charCodeAt(i + 3) === MINUS ? twoDigits(text, i + 4) : -1;
  if (month < 0 || day < 0) return undefined;
  i += 6;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let offsetMinutes = 0;
  if (i < n) {
    const sep = text.charCodeAt(i);
    if (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) return undefined; // T, t, space
    hour = twoDigits(text, i + 1);
    minute = text.charCodeAt(i + 3) === COLON ? twoDigits(text, i + 4) : -1;
    if (hour < 0 || minute < 0) return undefined;
    i += 6;
    if (text.charCodeAt(i) === COLON) {
      second = twoDigits(text, i + 1);
      if (second < 0) return undefined;
      i += 3;
      if (text.charCodeAt(i) === DOT) {
        const from = ++i;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
        if (i === from || i - from > 9) return undefined;
        // Fractions below a millisecond are cut.
        millis = Number(text.slice(from, Math.min(i, from + 3)).padEnd(3, '0'));
      }
    }
    if (i < n) {
      const zone = text.charCodeAt(i);
      if (zone === 0x5a || zone === 0x7a) { // Z, z
        i++;
      } else if (zone === PLUS || zone === MINUS) {
        const hours = twoDigits(text, i + 1);
        if (hours < 0) return undefined;
        i += 3;
        let minutes = 0;
        if (i < n) {
          if (text.charCodeAt(i) === COLON) i++;
          minutes = twoDigits(text, i);
          if (minutes < 0) return undefined;
          i += 2;
        }
        offsetMinutes = (zone === MINUS ? -1 : 1) * (hours * 60 + minutes);
      } else {
        return undefined;
      }
      if (i !== n) return undefined;
    }
  }
  // A strict resolver: 1979-02-30 or 25:00 must fail, not roll over into the next month or day.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes them as they are.
  const utc = year >= 100 ? Date.UTC(year, month - 1, day, hour, minute, second, millis) : fullYearUtc(year, month, day, hour, minute, second, millis);
  if (Number.isNaN(utc)) return undefined; // beyond what a Date holds
  if (!withTimeZone || offsetMinutes === 0) return utc;
  if (Math.abs(offsetMinutes) > 18 * 60) return undefined;
  return utc - offsetMinutes * 60_000;
}

const PLUS = 0x2b;
const MINUS = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The number of the two digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 0x30;
  const b = text.charCodeAt(at + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days of a month in the proleptic Gregorian calendar, as Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

function fullYearUtc(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

/** A JSON number as CrateDB's TimestampType reads it. */
export function timestampFromNumber(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  return Number.isInteger(value) ? safeInteger(value) : Math.trunc(value * 1000);
}

function safeInteger(n: number): number | undefined {
  return Number.isSafeInteger(n) ? n : undefined;
}
