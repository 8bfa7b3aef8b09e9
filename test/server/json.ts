/**
 * JSON that keeps integers beyond 2^53 exact, as CrateDB does on the wire (a BIGINT such as
 * 9007199254740993 travels as a bare JSON number; `JSON.parse` would round it). Such integers become
 * `bigint`; everything else is what `JSON.parse`/`JSON.stringify` give.
 */

/** Parses JSON; an integer literal outside the safe range becomes a `bigint`. Throws SyntaxError. */
export function parseJson(text: string): unknown {
  // Fast path: without a run of 16+ digits no literal can exceed 2^53 (9007199254740992 has 16).
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const parser = new Parser(text);
  const value = parser.value();
  parser.end();
  return value;
}

/** JSON text of a value; a `bigint` is written as a bare JSON number. */
export function toJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
    const marker = '\u0000bigint:';
    const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v));
    return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
  }
}

class Parser {
  #i = 0;
  constructor(private readonly s: string) {}

  value(): unknown {
    this.#ws();
    const c = this.s[this.#i];
    if (c === '{') return this.#object();
    if (c === '[') return this.#array();
    if (c === '"') return this.#string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.#number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.#i)) {
        this.#i += word.length;
        return v;
      }
    }
    throw this.#error();
  }

  end(): void {
    this.#ws();
    if (this.#i !== this.s.length) throw this.#error();
  }

  #object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.#i++;
    this.#ws();
    if (this.s[this.#i] === '}') {
      this.#i++;
      return out;
    }
    for (;;) {
      this.#ws();
      if (this.s[this.#i] !== '"') throw this.#error();
      const key = this.#string();
      this.#ws();
      if (this.s[this.#i++] !== ':') throw this.#error();
      out[key] = this.value();
      this.#ws();
      const c = this.s[this.#i++];
      if (c === '}') return out;
      if (c !== ',') throw this.#error();
    }
  }

  #array(): unknown[] {
    const out: unknown[] = [];
    this.#i++;
    this.#ws();
    if (this.s[this.#i] === ']') {
      this.#i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.#ws();
      const c = this.s[this.#i++];
      if (c === ']') return out;
      if (c !== ',') throw this.#error();
    }
  }

  #string(): string {
    const start = this.#i;
    this.#i++;
    for (;;) {
      const c = this.s[this.#i++];
      if (c === undefined) throw this.#error();
      if (c === '\\') this.#i++;
      else if (c === '"') break;
    }
    return JSON.parse(this.s.slice(start, this.#i)) as string;
  }

  #number(): number | bigint {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.#i, this.#i + 400));
    if (!m) throw this.#error();
    this.#i += m[0].length;
    const n = Number(m[0]);
    return m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
  }

  #ws(): void {
    while (/\s/.test(this.s[this.#i] ?? '')) this.#i++;
  }

  #error(): SyntaxError {
    return new SyntaxError(`Unexpected token in JSON at position ${this.#i}`);
  }
}
