/**
 * The sandbox CloudWatch's metric math: arithmetic (`+ - * /`, parentheses, numbers) over the ids of
 * other queries, evaluated at each timestamp where every series it names has a datapoint — enough for
 * the ratios and sums canary queries are made of. Anything else (functions such as `SUM()`, `FILL()`,
 * `SEARCH()`) is refused by name rather than answered wrongly.
 */
import type { MetricPoint } from "./metric-store.js";

type Node =
  | { kind: "number"; value: number }
  | { kind: "id"; name: string }
  | { kind: "binary"; op: string; left: Node; right: Node }
  | { kind: "negate"; operand: Node };

export class MetricMathError extends Error {}

export function parseExpression(text: string): Node {
  const tokens =
    text.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(\.\d+)?|[-+*/()]|\S)/g)?.map((t) => t.trim()) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const expression = (): Node => {
    let left = term();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[at++] as string;
      left = { kind: "binary", op, left, right: term() };
    }
    return left;
  };
  const term = (): Node => {
    let left = factor();
    while (peek() === "*" || peek() === "/") {
      const op = tokens[at++] as string;
      left = { kind: "binary", op, left, right: factor() };
    }
    return left;
  };
  const factor = (): Node => {
    const token = tokens[at++];
    if (token === undefined) throw new MetricMathError(`the expression "${text}" ends too early`);
    if (token === "-") return { kind: "negate", operand: factor() };
    if (token === "(") {
      const inner = expression();
      if (tokens[at++] !== ")") throw new MetricMathError(`missing ")" in "${text}"`);
      return inner;
    }
    if (/^\d/.test(token)) return { kind: "number", value: Number(token) };
    if (/^[a-z]/.test(token) && peek() !== "(") return { kind: "id", name: token };
    if (/^[A-Z]/.test(token) && peek() === "(") {
      throw new MetricMathError(`the sandbox does not implement the metric math function ${token}()`);
    }
    throw new MetricMathError(`unexpected "${token}" in "${text}"`);
  };
  const tree = expression();
  if (at < tokens.length) throw new MetricMathError(`unexpected "${tokens[at]}" in "${text}"`);
  return tree;
}

export function referencedIds(node: Node): string[] {
  switch (node.kind) {
    case "number":
      return [];
    case "id":
      return [node.name];
    case "negate":
      return referencedIds(node.operand);
    case "binary":
      return [...referencedIds(node.left), ...referencedIds(node.right)];
  }
}

/** The expression's series, from the series of the ids it names. */
export function evaluate(node: Node, series: ReadonlyMap<string, readonly MetricPoint[]>): MetricPoint[] {
  const ids = [...new Set(referencedIds(node))];
  const lookups = ids.map((id) => {
    const points = series.get(id);
    if (!points)
      throw new MetricMathError(`the expression names "${id}", which is not a query of this request`);
    return new Map(points);
  });
  const first = lookups[0];
  if (!first) throw new MetricMathError("an expression must name at least one metric");
  const out: MetricPoint[] = [];
  for (const at of [...first.keys()].sort((a, b) => a - b)) {
    if (!lookups.every((l) => l.has(at))) continue;
    const values = new Map(ids.map((id, i) => [id, lookups[i]?.get(at) as number]));
    const value = compute(node, values);
    if (Number.isFinite(value)) out.push([at, value]);
  }
  return out;
}

function compute(node: Node, values: ReadonlyMap<string, number>): number {
  switch (node.kind) {
    case "number":
      return node.value;
    case "id":
      return values.get(node.name) as number;
    case "negate":
      return -compute(node.operand, values);
    case "binary": {
      const a = compute(node.left, values);
      const b = compute(node.right, values);
      if (node.op === "+") return a + b;
      if (node.op === "-") return a - b;
      if (node.op === "*") return a * b;
      return a / b;
    }
  }
}
