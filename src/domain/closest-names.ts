/**
 * "Did you mean …?": the known names closest to a mistyped one, by edit distance. The one edit
 * distance of the code base; config's unknown-key hints (`config/zod-issues.ts`) use it too.
 */
export function closestNames(input: string, known: readonly string[], max = 3): string[] {
  const needle = input.toLowerCase();
  return known
    .map((name) => ({ name, distance: editDistance(needle, name.toLowerCase()) }))
    .filter(({ name, distance }) => distance <= Math.max(2, Math.floor(name.length / 2)))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, max)
    .map(({ name }) => name);
}

/**
 * Levenshtein distance: insertions, deletions and substitutions cost 1 (a swapped pair, "wbe" for
 * "web", costs 2). Case-sensitive; callers lower-case when case should not count.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
