/**
 * An interval as CrateDB prints it. CrateDB keeps an interval as a Joda `Period` and writes it with
 * `IntervalType.PERIOD_FORMATTER`: years, months and days only when not zero ("1 year 2 mons 3 days"),
 * then always `HH:MM:SS`, with `.mmm` only when there are milliseconds ("00:00:01.500"). PG prints the same
 * value in its `postgres` style ("1 year 2 mons 3 days 04:05:06.789", "-1 days", "00:00:00"), which is what
 * PGlite hands over; this reads that text back into fields and prints them the Joda way.
 */

interface Fields {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
  millis: number;
}

function readPgInterval(text: string): Fields {
  const f: Fields = { years: 0, months: 0, days: 0, hours: 0, minutes: 0, seconds: 0, millis: 0 };
  for (const m of text.matchAll(/([+-]?\d+) (year|mon|day)s?/g)) {
    const n = Number(m[1]);
    if (m[2] === 'year') f.years = n;
    else if (m[2] === 'mon') f.months = n;
    else f.days = n;
  }
  const t = /([+-])?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(text);
  if (t) {
    const sign = t[1] === '-' ? -1 : 1;
    f.hours = sign * Number(t[2]);
    f.minutes = sign * Number(t[3]);
    f.seconds = sign * Number(t[4]);
    // CrateDB keeps milliseconds; PG's microseconds beyond them are cut, as a Period built from them would.
    f.millis = sign * Math.trunc(Number(`0.${t[5] ?? '0'}`) * 1000 + 1e-9);
  }
  return f;
}

/** Joda's `FormatUtils.appendPaddedInteger`: the sign, then the digits padded to `digits`. */
function padded(n: number, digits: number): string {
  return (n < 0 ? '-' : '') + String(Math.abs(n)).padStart(digits, '0');
}

/** Joda pluralises on exactly 1: `-1 days`. */
function counted(n: number, singular: string, plural: string): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function crateInterval(pgText: string): string {
  const f = readPgInterval(pgText);
  const dated: string[] = [];
  if (f.years !== 0) dated.push(counted(f.years, 'year', 'years'));
  if (f.months !== 0) dated.push(counted(f.months, 'mon', 'mons'));
  if (f.days !== 0) dated.push(counted(f.days, 'day', 'days'));
  // appendSecondsWithOptionalMillis: seconds and milliseconds as one signed value, the fraction only when present.
  // Joda writes the sign of -0.5 s itself, since the whole seconds (0) carry none.
  const total = f.seconds * 1000 + f.millis;
  const whole = Math.trunc(total / 1000);
  const fraction = total % 1000 !== 0 ? `.${String(Math.abs(total % 1000)).padStart(3, '0')}` : '';
  const seconds = `${total < 0 && whole === 0 ? '-' : ''}${padded(whole, 2)}${fraction}`;
  return [...dated, `${padded(f.hours, 2)}:${padded(f.minutes, 2)}:${seconds}`].join(' ');
}
