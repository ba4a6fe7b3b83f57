/**
 * Ranks of a pooled sample with ties given their average ("mid") rank, doubled so that every rank is
 * an integer: a run of tied values occupying 1-based sorted positions a..b has midrank (a+b)/2, which
 * is stored as a+b. Integer ranks let rank sums be compared and tabulated exactly.
 */

/** One run of equal values in the pooled sample. */
export interface TieGroup {
  /** How many pooled values share this value (1 = not tied). */
  size: number;
  /** Twice the midrank of the run: a + b for sorted positions a..b (1-based). */
  doubledRank: number;
}

export interface DoubledMidranks {
  /** Doubled midrank of each input value, in input order. */
  ranks: number[];
  /** The runs of equal values in ascending order of value; sizes sum to the input length. */
  groups: TieGroup[];
}

/**
 * Contract: `values` holds no NaN (the caller validates); ±Infinity rank like any other value and
 * −0 equals 0. O(n log n).
 */
export function doubledMidranks(values: readonly number[]): DoubledMidranks {
  const order = values.map((_, index) => index);
  // Explicit comparisons rather than a − b: Infinity − Infinity is NaN and would corrupt the sort.
  order.sort((i, j) => {
    const a = values[i] as number;
    const b = values[j] as number;
    return a < b ? -1 : a > b ? 1 : 0;
  });

  const ranks = new Array<number>(values.length).fill(0);
  const groups: TieGroup[] = [];
  let start = 0;
  while (start < order.length) {
    const value = values[order[start] as number] as number;
    let end = start + 1;
    while (end < order.length && values[order[end] as number] === value) end++;
    // Sorted positions start+1 .. end (1-based) share the midrank (start + 1 + end) / 2.
    const doubledRank = start + 1 + end;
    for (let position = start; position < end; position++) ranks[order[position] as number] = doubledRank;
    groups.push({ size: end - start, doubledRank });
    start = end;
  }
  return { ranks, groups };
}
