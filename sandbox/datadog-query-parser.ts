/**
 * The subset of Datadog's metric query language the sandbox Datadog understands (DESIGN §8):
 *
 * ```
 * expr    := term (("+" | "-") term)*
 * term    := factor (("*" | "/") factor)*
 * factor  := number | "(" expr ")" | "-" factor | metric
 * metric  := [agg ":"] name "{" scope "}" ["by" "{" key ("," key)* "}"] ("." function)*
 * agg     := avg | sum | min | max                     (default avg)
 * scope   := "*" | key ":" value ("," key ":" value)*  (a value may use "*" as a wildcard)
 * function:= as_count() | as_rate() | rollup(method) | rollup(method, seconds) | rollup(seconds)
 * method  := sum | avg | min | max | count
 * ```
 *
 * Anything else (boolean scopes, `!tag`, other functions) is a parse error, reported like Datadog's:
 * what did not match and the 1-based column.
 */
import type { Aggregation } from "./aggregate-values.js";

export type SpaceAggregator = "avg" | "sum" | "min" | "max";
export type RollupMethod = Aggregation;

export interface TagFilter {
  key: string;
  /** Exact value, or a pattern where `*` matches any run of characters. */
  value: string;
}

export interface MetricNode {
  kind: "metric";
  aggregator: SpaceAggregator;
  metric: string;
  /** Empty for `{*}`. */
  filters: TagFilter[];
  groupBy: string[];
  /** `.as_count()` / `.as_rate()`; undefined for neither. */
  modifier: "count" | "rate" | undefined;
  rollup: { method: RollupMethod | undefined; seconds: number | undefined } | undefined;
}

export type QueryExpr =
  | MetricNode
  | { kind: "number"; value: number }
  | { kind: "negate"; operand: QueryExpr }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: QueryExpr; right: QueryExpr };

export class QueryParseError extends Error {
  /** 1-based column where parsing stopped. */
  readonly column: number;
  /** The unparsed rest of the query from that column. */
  readonly rest: string;

  constructor(message: string, column: number, rest: string) {
    super(message);
    this.name = "QueryParseError";
    this.column = column;
    this.rest = rest;
  }
}

const SPACE_AGGREGATORS: readonly string[] = ["avg", "sum", "min", "max"];
const ROLLUP_METHODS: readonly string[] = ["avg", "sum", "min", "max", "count"];
const METRIC_NAME = /[A-Za-z][A-Za-z0-9_.]*/y;
const TAG_KEY = /[A-Za-z][A-Za-z0-9_./-]*/y;
const TAG_VALUE = /[A-Za-z0-9_./:*@-]+/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Parses a whole query; throws QueryParseError. */
export function parseQuery(text: string): QueryExpr {
  const parser = new Parser(text);
  const expr = parser.expr();
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail("unexpected input");
  if (!containsMetric(expr)) parser.failAt(0, "a query needs at least one metric");
  return expr;
}

function containsMetric(expr: QueryExpr): boolean {
  switch (expr.kind) {
    case "metric":
      return true;
    case "number":
      return false;
    case "negate":
      return containsMetric(expr.operand);
    case "binary":
      return containsMetric(expr.left) || containsMetric(expr.right);
  }
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  expr(): QueryExpr {
    let left = this.term();
    for (;;) {
      const op = this.operator("+", "-");
      if (!op) return left;
      left = { kind: "binary", op, left, right: this.term() };
    }
  }

  private term(): QueryExpr {
    let left = this.factor();
    for (;;) {
      const op = this.operator("*", "/");
      if (!op) return left;
      left = { kind: "binary", op, left, right: this.factor() };
    }
  }

  private factor(): QueryExpr {
    this.skipSpace();
    if (this.eat("(")) {
      const inner = this.expr();
      this.expect(")");
      return inner;
    }
    if (this.eat("-")) return { kind: "negate", operand: this.factor() };
    const number = this.match(NUMBER);
    if (number !== undefined) return { kind: "number", value: Number(number) };
    return this.metric();
  }

  private metric(): MetricNode {
    const start = this.pos;
    let aggregator: SpaceAggregator = "avg";
    const first = this.match(IDENT);
    if (first !== undefined && SPACE_AGGREGATORS.includes(first) && this.peek() === ":") {
      aggregator = first as SpaceAggregator;
      this.pos++;
    } else {
      this.pos = start;
    }
    this.skipSpace();
    const metric = this.match(METRIC_NAME);
    if (metric === undefined) this.fail("expected a metric name");
    this.skipSpace();
    this.expect("{");
    const filters = this.scope();
    this.expect("}");
    const groupBy = this.groupBy();
    const node: MetricNode = {
      kind: "metric",
      aggregator,
      metric,
      filters,
      groupBy,
      modifier: undefined,
      rollup: undefined,
    };
    this.functions(node);
    return node;
  }

  private scope(): TagFilter[] {
    this.skipSpace();
    if (this.eat("*")) return [];
    const filters: TagFilter[] = [];
    do {
      this.skipSpace();
      if (this.peek() === "!") this.fail("negated tags are not supported by the sandbox");
      const key = this.match(TAG_KEY);
      if (key === undefined) this.fail("expected a tag such as service:web, or *");
      if (!this.eat(":")) this.fail(`expected ':' and a value after tag '${key}'`);
      const value = this.match(TAG_VALUE);
      if (value === undefined) this.fail(`expected a value for tag '${key}'`);
      if (/^(AND|OR|NOT|IN)$/.test(key)) this.fail("boolean scopes are not supported by the sandbox");
      filters.push({ key, value });
      this.skipSpace();
    } while (this.eat(","));
    return filters;
  }

  private groupBy(): string[] {
    const save = this.pos;
    this.skipSpace();
    if (this.match(/by\b/y) === undefined) {
      this.pos = save;
      return [];
    }
    this.skipSpace();
    this.expect("{");
    const keys: string[] = [];
    do {
      this.skipSpace();
      const key = this.match(TAG_KEY);
      if (key === undefined) this.fail("expected a tag key to group by");
      keys.push(key);
      this.skipSpace();
    } while (this.eat(","));
    this.expect("}");
    return keys;
  }

  private functions(node: MetricNode): void {
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      if (!this.eat(".")) {
        this.pos = save;
        return;
      }
      const nameAt = this.pos;
      const name = this.match(IDENT);
      if (name === undefined) this.fail("expected a function name after '.'");
      this.expect("(");
      const args = this.arguments();
      this.expect(")");
      if (name === "as_count" || name === "as_rate") {
        if (args.length > 0) this.failAt(nameAt, `${name}() takes no arguments`);
        if (node.modifier !== undefined) this.failAt(nameAt, "as_count() and as_rate() may appear once");
        node.modifier = name === "as_count" ? "count" : "rate";
      } else if (name === "rollup") {
        if (node.rollup !== undefined) this.failAt(nameAt, "rollup() may appear once");
        node.rollup = this.rollupArguments(args, nameAt);
      } else {
        this.failAt(nameAt, `unknown function '${name}'`);
      }
    }
  }

  private arguments(): string[] {
    const args: string[] = [];
    this.skipSpace();
    if (this.peek() === ")") return args;
    do {
      this.skipSpace();
      const arg = this.match(IDENT) ?? this.match(NUMBER);
      if (arg === undefined) this.fail("expected an argument");
      args.push(arg);
      this.skipSpace();
    } while (this.eat(","));
    return args;
  }

  private rollupArguments(args: string[], at: number): NonNullable<MetricNode["rollup"]> {
    const [first, second, ...extra] = args;
    if (first === undefined || extra.length > 0) this.failAt(at, "rollup() takes a method, seconds, or both");
    const isSeconds = (s: string): boolean => /^\d+$/.test(s) && Number(s) > 0;
    if (second === undefined && isSeconds(first)) return { method: undefined, seconds: Number(first) };
    if (!ROLLUP_METHODS.includes(first)) this.failAt(at, `unknown rollup method '${first}'`);
    if (second !== undefined && !isSeconds(second))
      this.failAt(at, "rollup() seconds must be a positive integer");
    return { method: first as RollupMethod, seconds: second === undefined ? undefined : Number(second) };
  }

  private operator<T extends string>(...ops: T[]): T | undefined {
    this.skipSpace();
    const next = this.peek();
    const op = ops.find((o) => o === next);
    if (op !== undefined) this.pos++;
    return op;
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private eat(literal: string): boolean {
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  private expect(literal: string): void {
    this.skipSpace();
    if (!this.eat(literal)) this.fail(`expected '${literal}'`);
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.pos += found[0].length;
    return found[0];
  }

  fail(message: string): never {
    return this.failAt(this.pos, message);
  }

  failAt(pos: number, message: string): never {
    throw new QueryParseError(message, pos + 1, this.text.slice(pos));
  }
}
