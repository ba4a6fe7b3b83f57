/**
 * How charts read stored figures and write them for people: one place, so the title, the decision
 * label and the axis ticks agree. Pure (`clockTime` formats a given instant; it never reads the clock).
 */

/** Two significant digits below 100, whole numbers above: "4.9", "0.85", "0.0042", "812". */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "∞" : String(value);
  if (Math.abs(value) >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(2)));
}

/** "HH:MM" in UTC. */
export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** "1m", "5m", "1h", "30s". */
export function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${formatFigure(ms / 1000)}s`;
}

/** A stored field as a finite number, or undefined (absent, null, a string, NaN…). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The finite numbers of a stored array field; [] when it is not an array. */
export function finiteNumbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => finiteNumber(v) !== undefined) : [];
}
