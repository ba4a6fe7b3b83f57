/** A tag set's identity in the sandbox's stores: its `key:value` pairs in key order, comma-joined. */
export function tagSetKey(tags: Readonly<Record<string, string>>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}:${tags[k]}`)
    .join(",");
}
