/**
 * One recorded series as `kanaria replay` holds it: two columns, bucket starts (ms) and values. A
 * recording of 100k points per series as JSON arrays is 100k small arrays and 100k boxed timestamps
 * per series, which the garbage collector walks for as long as the replay runs; as columns it is two
 * flat buffers. A null point ("no value", never 0) is NaN in `value`: the loader refuses every
 * non-finite value a file can hold, so NaN means only that.
 */
export interface RecordedSeries {
  readonly at: Float64Array;
  readonly value: Float64Array;
}

/** A series from `[timestamp ms, value | null]` points, in the order given. */
export function recordedSeries(points: ReadonlyArray<readonly [number, number | null]>): RecordedSeries {
  const at = new Float64Array(points.length);
  const value = new Float64Array(points.length);
  points.forEach(([t, v], i) => {
    at[i] = t;
    value[i] = v ?? Number.NaN;
  });
  return { at, value };
}

/** The series in time order (itself when it already is). */
export function inTimeOrder(series: RecordedSeries): RecordedSeries {
  const { at, value } = series;
  let ordered = true;
  for (let i = 1; i < at.length && ordered; i++) ordered = (at[i - 1] as number) <= (at[i] as number);
  if (ordered) return series;
  const order = Array.from(at.keys()).sort((a, b) => (at[a] as number) - (at[b] as number));
  return {
    at: Float64Array.from(order, (i) => at[i] as number),
    value: Float64Array.from(order, (i) => value[i] as number),
  };
}
