/**
 * Batching of variant queries (issue #4): an analysis asks the same query for canary and control,
 * rendered with a different value of one tag (`…{service:web,version:v2}` and `…{service:web,version:v1}`).
 * Datadog answers both in one request when the query groups by that tag instead of filtering on it:
 * `…{service:web} by {version}` returns one series per version, and the `version:v2` series is exactly
 * what the filtered query returns (the other filters, the space aggregation within a group, rollups and
 * `.as_count()` are the same; arithmetic is matched group by group). Both variants then cover the same
 * buckets and cost one request of the rate limit, not two.
 *
 * Pure text work on rendered queries. It batches only what it can prove equivalent, and asks everything
 * else alone:
 * - every `{…}` scope of the query holds exactly one plain `key:value` item for the varying key, with the
 *   same value in each scope of one query, and the queries differ in nothing else;
 * - no scope uses boolean syntax (spaces, `OR`, `IN (…)`), the varying value has no `*` wildcard, no
 *   other item names the key (`!version:v3`, `version:v*`);
 * - the query has no `by {…}` of its own and no top-level `,` (several queries in one string).
 * Identical queries are asked once.
 */

/** One request to send, and which of the planned queries it answers. */
export type QueryBatch =
  | {
      kind: "single";
      query: string;
      /** Indexes (into the planned list) of the queries this one answers: identical texts. */
      indexes: number[];
    }
  | GroupedBatch;

export interface GroupedBatch {
  kind: "grouped";
  /** The query grouped `by {tagKey}` instead of filtered on it. */
  query: string;
  tagKey: string;
  /** Each planned query with the value of `tagKey` it filtered on; its answer is that group. */
  members: Array<{ index: number; tagValue: string }>;
}

/** A rendered query cut into literal text and the items of its `{…}` scopes. */
interface ScopedQuery {
  /** Literal text around the scopes: `literals.length === scopes.length + 1`. */
  literals: string[];
  scopes: string[][];
}

const PLAIN_ITEM = /^!?[^\s:,{}()!]+(?::[^\s,{}()]+)?$/;
const TAG_KEY = /^[A-Za-z][A-Za-z0-9_./-]*$/;

/**
 * Plans the requests for `queries`: batches of two or more variants of one query where possible,
 * identical texts merged, everything else alone. Every index appears in exactly one batch; batches come
 * in the order of their first query.
 */
export function planVariantBatches(queries: readonly string[]): QueryBatch[] {
  const batches: QueryBatch[] = [];
  const assigned = new Set<number>();
  const parsed = queries.map(scopedQuery);
  for (let i = 0; i < queries.length; i++) {
    if (assigned.has(i)) continue;
    const query = queries[i] as string;
    const shape = parsed[i];
    const grouped = shape ? groupWithOthers(i, shape, parsed, assigned) : undefined;
    if (grouped) {
      for (const member of grouped.members) assigned.add(member.index);
      batches.push(grouped);
      continue;
    }
    const indexes = queries.flatMap((q, j) => (j >= i && !assigned.has(j) && q === query ? [j] : []));
    for (const j of indexes) assigned.add(j);
    batches.push({ kind: "single", query, indexes });
  }
  return batches;
}

/** The key a group's series carries for `tagKey:value`: Datadog lists the group as `key:value`. */
export function groupTag(tagKey: string, tagValue: string): string {
  return `${tagKey}:${tagValue}`.toLowerCase();
}

function groupWithOthers(
  first: number,
  shape: ScopedQuery,
  parsed: ReadonlyArray<ScopedQuery | undefined>,
  assigned: ReadonlySet<number>,
): GroupedBatch | undefined {
  for (const key of candidateKeys(shape)) {
    const signature = signatureWithout(shape, key);
    const members: Array<{ index: number; tagValue: string }> = [];
    const values = new Set<string>();
    for (let j = first; j < parsed.length; j++) {
      const other = parsed[j];
      if (assigned.has(j) || !other) continue;
      const value = variantValue(other, key);
      if (value === undefined || signatureWithout(other, key) !== signature) continue;
      members.push({ index: j, tagValue: value });
      values.add(groupTag(key, value));
    }
    // Two different values at least, or there is nothing to batch (identical texts are merged as singles).
    if (values.size >= 2) return { kind: "grouped", query: groupedQuery(shape, key), tagKey: key, members };
  }
  return undefined;
}

/** Keys with one plain `key:value` item in every scope, the same value throughout. */
function candidateKeys(shape: ScopedQuery): string[] {
  const first = shape.scopes[0] ?? [];
  return first.flatMap((item) => {
    const key = item.split(":")[0] as string;
    return TAG_KEY.test(key) && variantValue(shape, key) !== undefined ? [key] : [];
  });
}

/** The value `key` is filtered on in every scope, or undefined when the query is not of that form. */
function variantValue(shape: ScopedQuery, key: string): string | undefined {
  let value: string | undefined;
  for (const scope of shape.scopes) {
    const naming = scope.filter((item) => itemKey(item) === key);
    if (naming.length !== 1) return undefined;
    const item = naming[0] as string;
    if (item.startsWith("!")) return undefined;
    const itemValue = item.slice(key.length + 1);
    if (itemValue === "" || itemValue.includes("*")) return undefined;
    if (value !== undefined && value !== itemValue) return undefined;
    value = itemValue;
  }
  return value;
}

function itemKey(item: string): string {
  const bare = item.startsWith("!") ? item.slice(1) : item;
  return bare.split(":")[0] as string;
}

function signatureWithout(shape: ScopedQuery, key: string): string {
  const parts: string[] = [key];
  shape.scopes.forEach((scope, i) => {
    parts.push(shape.literals[i] as string, scope.filter((item) => itemKey(item) !== key).join(","));
  });
  parts.push(shape.literals[shape.scopes.length] as string);
  return JSON.stringify(parts);
}

function groupedQuery(shape: ScopedQuery, key: string): string {
  let text = "";
  shape.scopes.forEach((scope, i) => {
    const rest = scope.filter((item) => itemKey(item) !== key);
    text += `${shape.literals[i]}{${rest.length > 0 ? rest.join(",") : "*"}} by {${key}}`;
  });
  return text + (shape.literals[shape.scopes.length] as string);
}

/**
 * Cuts a query into literals and scopes; undefined when it is not batchable text: a `by {…}` of its
 * own, a top-level comma, unbalanced braces, boolean scope syntax, or no scope at all.
 */
function scopedQuery(query: string): ScopedQuery | undefined {
  const literals: string[] = [];
  const scopes: string[][] = [];
  let literal = "";
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const char = query[i] as string;
    if (char === "{") {
      if (/\bby\s*$/.test(literal)) return undefined;
      const close = query.indexOf("}", i + 1);
      if (close < 0) return undefined;
      const content = query.slice(i + 1, close);
      if (content.includes("{")) return undefined;
      const items = content === "*" ? [] : content.split(",").map((item) => item.trim());
      if (content !== "*" && !items.every((item) => PLAIN_ITEM.test(item))) return undefined;
      literals.push(literal);
      scopes.push(items);
      literal = "";
      i = close;
      continue;
    }
    if (char === "}") return undefined;
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) return undefined;
    literal += char;
  }
  literals.push(literal);
  return scopes.length > 0 ? { literals, scopes } : undefined;
}
