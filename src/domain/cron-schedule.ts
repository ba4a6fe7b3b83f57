/**
 * How Kanaria reads a cron expression: one place that turns an expression and an IANA time zone into a
 * croner schedule, used by the freeze rule (domain/freeze-window.ts) and by config validation
 * (config/freeze-schema.ts), so that what validation accepts is exactly what the rule evaluates.
 *
 * The options below are the semantics we promise users (README, "Freeze windows"):
 * - 5 fields, or 6 with seconds first; no year field.
 * - day-of-month AND day-of-week (`0 0 13 * fri` is Friday the 13th), not Vixie cron's OR: a freeze
 *   narrowed by both day fields should be narrower, never wider.
 * - Daylight-saving changes as Vixie cron treats them, with every expression whose seconds, minutes
 *   and hours hold no `*` or step counting as a fixed time (croner's "no-wildcard" rule): a fixed-time
 *   start that falls in a spring-forward gap happens at the end of the gap, once, so a freeze is never
 *   silently dropped; one that falls in a repeated fall-back hour happens once, at its first reading.
 *   An expression with a `*` or step in those fields is a series of instants: readings inside a gap do
 *   not exist and are skipped, readings in a repeated hour happen twice.
 *
 * No callback is given, so croner schedules nothing: the schedule only answers "previous" and "next".
 */
import { Cron, type CronOptions } from "croner";

const OPTIONS: CronOptions = {
  domAndDow: true,
  mode: "5-or-6-parts",
  fixedTimeRule: "no-wildcard",
};

/**
 * A cron schedule read in `timezone`. Throws croner's error for an expression it does not accept; the
 * time zone is checked by `isTimeZone`, not here (croner only notices a bad one when first asked).
 */
export function cronSchedule(expression: string, timezone = "UTC"): Cron {
  return new Cron(expression, { ...OPTIONS, timezone });
}

/** Whether `zone` is a time zone this Node knows (IANA names, case-insensitive, and ICU's aliases). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
