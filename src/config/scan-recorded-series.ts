/**
 * Reads a recording's `series` object straight from the JSON text into columns (recorded-series.ts),
 * without building an array per point: the fast path of parse-recording.ts for the one part of a
 * recording that can be large. It accepts exactly `{"<query>": [[number, number | null], …], …}` with
 * JSON's whitespace and number grammar; on anything else (another shape, a syntax error) it returns
 * undefined and the caller reads the file with JSON.parse, whose errors and shapes the slow path reports
 * point by point. A query listed twice is kept once and named in `repeated` (JSON.parse would silently
 * keep the last). The values' meaning (duplicates, non-finite, negative counts) is checked afterwards,
 * on the columns, by read-recorded-series.ts.
 */
import type { RecordedSeries } from "./recorded-series.js";

export function scanRecordedSeries(
  text: string,
  start: number,
): { series: Map<string, RecordedSeries>; end: number; repeated: string[] } | undefined {
  const scanner = new Scanner(text, start);
  try {
    const series = scanner.series();
    return { series, end: scanner.offset, repeated: scanner.repeated };
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

class NotPlain extends Error {}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

class Scanner {
  constructor(
    private readonly text: string,
    private i: number,
  ) {}

  readonly repeated: string[] = [];

  get offset(): number {
    return this.i;
  }

  series(): Map<string, RecordedSeries> {
    const out = new Map<string, RecordedSeries>();
    this.expect(0x7b); // {
    if (this.peek() === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      const query = this.key();
      this.expect(0x3a); // :
      const points = this.points();
      if (out.has(query)) this.repeated.push(query);
      else out.set(query, points);
      const next = this.next();
      if (next === 0x7d) return out;
      if (next !== 0x2c) throw new NotPlain();
    }
  }

  private key(): string {
    this.space();
    const from = this.i;
    if (this.text.charCodeAt(from) !== 0x22) throw new NotPlain();
    let j = from + 1;
    for (; j < this.text.length; j++) {
      const c = this.text.charCodeAt(j);
      if (c === 0x5c) j++;
      else if (c === 0x22) break;
    }
    this.i = j + 1;
    try {
      return JSON.parse(this.text.slice(from, j + 1)) as string;
    } catch {
      throw new NotPlain();
    }
  }

  private points(): RecordedSeries {
    let at = new Float64Array(1024);
    let value = new Float64Array(1024);
    let n = 0;
    this.expect(0x5b); // [
    if (this.peek() === 0x5d) {
      this.i++;
      return { at: at.subarray(0, 0), value: value.subarray(0, 0) };
    }
    for (;;) {
      this.expect(0x5b);
      const t = this.number();
      this.expect(0x2c);
      this.space();
      let v: number;
      if (this.text.startsWith("null", this.i)) {
        this.i += 4;
        v = Number.NaN;
      } else v = this.number();
      this.expect(0x5d);
      if (n === at.length) {
        at = grow(at);
        value = grow(value);
      }
      at[n] = t;
      value[n] = v;
      n++;
      const next = this.next();
      if (next === 0x5d) break;
      if (next !== 0x2c) throw new NotPlain();
    }
    return { at: at.slice(0, n), value: value.slice(0, n) };
  }

  /** A JSON number; integers of up to 15 digits without building a string. */
  private number(): number {
    this.space();
    const text = this.text;
    const from = this.i;
    let j = from;
    if (text.charCodeAt(j) === 0x2d) j++;
    let whole = 0;
    const digitsFrom = j;
    for (let c = text.charCodeAt(j); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++j))
      whole = whole * 10 + (c - 0x30);
    const digits = j - digitsFrom;
    if (digits === 0 || (digits > 1 && text.charCodeAt(digitsFrom) === 0x30)) throw new NotPlain();
    const c = text.charCodeAt(j);
    if (c !== 0x2e && c !== 0x65 && c !== 0x45 && digits <= 15) {
      this.i = j;
      return text.charCodeAt(from) === 0x2d ? -whole : whole;
    }
    // Fractions, exponents, long integers: the grammar checked here, the value by Number().
    if (c === 0x2e) {
      j++;
      const f = j;
      while (text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
      if (j === f) throw new NotPlain();
    }
    if (text.charCodeAt(j) === 0x65 || text.charCodeAt(j) === 0x45) {
      j++;
      if (text.charCodeAt(j) === 0x2b || text.charCodeAt(j) === 0x2d) j++;
      const e = j;
      while (text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
      if (j === e) throw new NotPlain();
    }
    this.i = j;
    return Number(text.slice(from, j));
  }

  private expect(code: number): void {
    if (this.next() !== code) throw new NotPlain();
  }

  /** The next non-space character's code, consumed. */
  private next(): number {
    this.space();
    return this.text.charCodeAt(this.i++);
  }

  private peek(): number {
    this.space();
    return this.text.charCodeAt(this.i);
  }

  private space(): void {
    while (SPACE.has(this.text.charCodeAt(this.i))) this.i++;
  }
}

function grow(column: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const bigger = new Float64Array(column.length * 2);
  bigger.set(column);
  return bigger;
}
