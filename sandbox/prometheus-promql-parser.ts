/**
 * The PromQL subset the sandbox Prometheus understands: what teams write for canary checks.
 *
 *     expr      := term (("+" | "-") term)*
 *     term      := factor (("*" | "/") factor)*
 *     factor    := number | "(" expr ")" | aggregate | call | selector
 *     aggregate := ("sum" | "avg" | "min" | "max" | "count") [grouping] "(" expr ")" [grouping]
 *     grouping  := ("by" | "without") "(" label ("," label)* ")"
 *     call      := ("rate" | "increase") "(" selector "[" duration "]" ")"
 *     selector  := name ["{" matcher ("," matcher)* "}"]
 *     matcher   := label ("=" | "!=" | "=~" | "!~") string
 *
 * e.g. `sum(rate(http_requests_total{app="web",version="v2",code=~"5.."}[1m])) / sum(rate(…[1m]))`.
 * Anything else throws PromqlParseError, which the server answers as real Prometheus does: HTTP 400,
 * `errorType: bad_data`, `error: "1:12: parse error: …"`.
 */

import { parseGoDuration } from "../src/config/duration.js";
import type { Aggregation } from "./aggregate-values.js";

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type AggregateOp = Aggregation;

export type PromExpr =
  | { kind: "number"; value: number }
  | { kind: "selector"; name: string; matchers: Matcher[] }
  | {
      kind: "range-call";
      fn: "rate" | "increase";
      selector: { name: string; matchers: Matcher[] };
      rangeMs: number;
    }
  | {
      kind: "aggregate";
      op: AggregateOp;
      grouping: { mode: "by" | "without"; labels: string[] } | undefined;
      expr: PromExpr;
    }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: PromExpr; right: PromExpr };

export class PromqlParseError extends Error {
  constructor(
    message: string,
    /** 1-based column of the problem. */
    readonly column: number,
  ) {
    super(message);
  }
}

const AGGREGATES = new Set(["sum", "avg", "min", "max", "count"]);

export function parsePromql(text: string): PromExpr {
  const parser = new Parser(text);
  const expr = parser.expr();
  parser.skipSpace();
  if (!parser.done()) parser.fail(`unexpected character ${JSON.stringify(parser.peek())}`);
  return expr;
}

class Parser {
  private at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  peek(): string {
    return this.text[this.at] ?? "";
  }

  fail(message: string): never {
    throw new PromqlParseError(message, this.at + 1);
  }

  skipSpace(): void {
    while (/\s/.test(this.peek()) && !this.done()) this.at++;
  }

  private eat(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.at)) {
      this.at += token.length;
      return true;
    }
    return false;
  }

  private expect(token: string): void {
    if (!this.eat(token))
      this.fail(
        this.done()
          ? `unexpected end of input, expected ${JSON.stringify(token)}`
          : `unexpected ${JSON.stringify(this.peek())}, expected ${JSON.stringify(token)}`,
      );
  }

  /** Whether the next non-space character is `c` (consumes nothing but the space). */
  private nextIs(c: string): boolean {
    this.skipSpace();
    return this.peek() === c;
  }

  private identifier(): string | undefined {
    this.skipSpace();
    const match = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(this.text.slice(this.at));
    if (!match) return undefined;
    this.at += match[0].length;
    return match[0];
  }

  expr(): PromExpr {
    let left = this.term();
    for (;;) {
      if (this.eat("+")) left = { kind: "binary", op: "+", left, right: this.term() };
      else if (this.eat("-")) left = { kind: "binary", op: "-", left, right: this.term() };
      else return left;
    }
  }

  private term(): PromExpr {
    let left = this.factor();
    for (;;) {
      if (this.eat("*")) left = { kind: "binary", op: "*", left, right: this.factor() };
      else if (this.eat("/")) left = { kind: "binary", op: "/", left, right: this.factor() };
      else return left;
    }
  }

  private factor(): PromExpr {
    this.skipSpace();
    const number = /^\d+(\.\d+)?([eE][-+]?\d+)?/.exec(this.text.slice(this.at));
    if (number) {
      this.at += number[0].length;
      return { kind: "number", value: Number(number[0]) };
    }
    if (this.eat("(")) {
      const inner = this.expr();
      this.expect(")");
      return inner;
    }
    const start = this.at;
    const name = this.identifier();
    if (name === undefined)
      this.fail(
        this.done() ? "unexpected end of input" : `unexpected character ${JSON.stringify(this.peek())}`,
      );
    if (AGGREGATES.has(name)) return this.aggregate(name as AggregateOp);
    if (name === "rate" || name === "increase") {
      this.expect("(");
      const selector = this.selector(this.identifier() ?? this.fail("expected a metric name"));
      this.expect("[");
      const close = this.text.indexOf("]", this.at);
      if (close < 0) this.fail("unclosed range selector");
      const rangeMs = parseGoDuration(this.text.slice(this.at, close).trim());
      if (rangeMs === undefined || rangeMs <= 0) this.fail("bad duration in range selector");
      this.at = close + 1;
      this.expect(")");
      return { kind: "range-call", fn: name, selector, rangeMs };
    }
    this.skipSpace();
    if (this.peek() === "(") {
      this.at = start;
      this.fail(`function ${JSON.stringify(name)} is not supported by the sandbox Prometheus`);
    }
    const selector = this.selector(name);
    this.skipSpace();
    if (this.peek() === "[") this.fail("a range vector is only supported inside rate() or increase()");
    return { kind: "selector", ...selector };
  }

  private aggregate(op: AggregateOp): PromExpr {
    let grouping = this.grouping();
    this.expect("(");
    const expr = this.expr();
    this.expect(")");
    grouping ??= this.grouping();
    return { kind: "aggregate", op, grouping, expr };
  }

  private grouping(): { mode: "by" | "without"; labels: string[] } | undefined {
    const save = this.at;
    const word = this.identifier();
    if (word !== "by" && word !== "without") {
      this.at = save;
      return undefined;
    }
    this.expect("(");
    const labels: string[] = [];
    if (!this.eat(")")) {
      do labels.push(this.identifier() ?? this.fail("expected a label name"));
      while (this.eat(","));
      this.expect(")");
    }
    return { mode: word, labels };
  }

  private selector(name: string): { name: string; matchers: Matcher[] } {
    const matchers: Matcher[] = [];
    if (!this.eat("{")) return { name, matchers };
    if (this.eat("}")) return { name, matchers };
    do {
      const label = this.identifier() ?? this.fail("expected a label name");
      this.skipSpace();
      const op = (["=~", "!~", "!=", "="] as const).find((o) => this.eat(o));
      if (!op) this.fail("expected one of =, !=, =~, !~");
      const at = this.at;
      const value = this.string();
      if (op === "=~" || op === "!~") {
        try {
          new RegExp(value);
        } catch {
          this.at = at;
          this.fail(`invalid regular expression ${JSON.stringify(value)}`);
        }
      }
      matchers.push({ label, op, value });
    } while (this.eat(",") && !this.nextIs("}"));
    this.expect("}");
    return { name, matchers };
  }

  /** A double-quoted string with Go escapes (`\"`, `\\`, `\n`). */
  private string(): string {
    this.skipSpace();
    if (this.peek() !== '"') this.fail("expected a double-quoted label value");
    let out = "";
    for (this.at++; !this.done(); this.at++) {
      const c = this.peek();
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === "\\") {
        this.at++;
        const escaped = this.peek();
        out += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped;
      } else out += c;
    }
    return this.fail("unterminated quoted string");
  }
}
