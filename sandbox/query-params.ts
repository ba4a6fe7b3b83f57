/**
 * The AWS Query protocol's request body (`application/x-www-form-urlencoded`) as a nested object:
 * `Actions.member.1.ForwardConfig.TargetGroups.member.2.Weight=20` becomes
 * `{Actions: [{ForwardConfig: {TargetGroups: [_, {Weight: "20"}]}}]}`. Leaves stay strings (the request
 * schemas convert them); an empty list arrives as `Name=` and stays `""`.
 */

type Node = string | Node[] | { [key: string]: Node };

export function parseQueryBody(body: string): Record<string, unknown> {
  const root: { [key: string]: Node } = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key
      .split(".")
      .filter((segment) => segment !== "member")
      .map((segment) => (/^\d+$/.test(segment) ? Number(segment) - 1 : segment));
    insert(root, path, value);
  }
  return compact(root) as Record<string, unknown>;
}

function insert(root: { [key: string]: Node }, path: ReadonlyArray<string | number>, value: string): void {
  let node: Node = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (segment === undefined || typeof node === "string") return;
    const last = i === path.length - 1;
    const nextIsIndex = typeof path[i + 1] === "number";
    const container: Record<string | number, Node> = node as Record<string | number, Node>;
    if (last) {
      container[segment] = value;
      return;
    }
    const existing = container[segment];
    if (existing === undefined || typeof existing === "string") container[segment] = nextIsIndex ? [] : {};
    node = container[segment] as Node;
  }
}

/** Sparse arrays (indexes are 1-based and may skip) become dense, in index order. */
function compact(node: Node): Node {
  if (typeof node === "string") return node;
  if (Array.isArray(node)) return node.filter((item) => item !== undefined).map(compact);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, compact(v)]));
}
