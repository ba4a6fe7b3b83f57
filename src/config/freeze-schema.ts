/**
 * One `freezes[i]` entry of kanaria.yaml: a recurring window (a cron expression for its starts, a
 * duration) in which deployments are refused. Cron expressions are validated by croner with the options
 * the freeze rule uses (domain/cron-schedule.ts), so what passes here is exactly what the rule evaluates.
 */
import { z } from "zod";
import { closestNames } from "../domain/closest-names.js";
import { cronSchedule, isTimeZone } from "../domain/cron-schedule.js";
import { boundedDurationMs } from "./duration.js";
import { APP_NAME, slackPrincipal } from "./kanaria-schema.js";
import { closedObject } from "./zod-issues.js";

export const MAX_FREEZE_MS = 31 * 24 * 3_600_000;

/** The six fields in croner's order (seconds first), as people read them, with what each accepts. */
const CRON_FIELDS = [
  "second field (0–59)",
  "minute field (0–59)",
  "hour field (0–23)",
  "day-of-month field (1–31, L, LW or 15W)",
  "month field (1–12 or jan–dec)",
  "day-of-week field (0–7 or sun–sat, 5L for the last Friday, 1#2 for the second Monday)",
] as const;

const CRON_SHAPE =
  '5 fields (minute hour day-of-month month day-of-week, e.g. "0 18 * * fri") or 6 with seconds first';

/** Any fixed instant: whether a schedule ever fires does not depend on where the search starts. */
const SEARCH_FROM = new Date(Date.UTC(2000, 0, 1));

/**
 * Why `text` is not a cron expression a freeze accepts, naming the wrong field(s); undefined when it is
 * one. Each field is tried alone (the others `*`), so that every wrong field is named, not only the
 * first croner meets. Field values are echoed (a few characters of cron syntax), the expression is not.
 */
export function cronProblem(text: string): string | undefined {
  const fields = text.trim().split(/\s+/);
  if (!text.trim().startsWith("@") && fields.length !== 5 && fields.length !== 6) {
    return `a cron expression has ${CRON_SHAPE}; this one has ${text.trim() === "" ? 0 : fields.length}`;
  }
  const sixFields = fields.length === 5 ? ["0", ...fields] : fields;
  const wrong: string[] = [];
  if (fields.length === 5 || fields.length === 6) {
    sixFields.forEach((value, index) => {
      const probe = sixFields.map((_, i) => (i === index ? value : i === 0 ? "0" : "*"));
      if (!accepts(probe.join(" "))) wrong.push(`the ${CRON_FIELDS[index]} is invalid (got "${value}")`);
    });
  }
  if (wrong.length > 0) return `invalid cron expression: ${wrong.join("; ")}`;
  let schedule: ReturnType<typeof cronSchedule>;
  try {
    schedule = cronSchedule(text);
  } catch {
    return `is not a cron expression; write ${CRON_SHAPE}`;
  }
  if (schedule.nextRun(SEARCH_FROM) === null) {
    const [, , , dayOfMonth, month, dayOfWeek] = sixFields;
    return (
      `invalid cron expression: the day-of-month field ("${dayOfMonth}"), month field ("${month}") and ` +
      `day-of-week field ("${dayOfWeek}") never match the same date, so the freeze would never start`
    );
  }
  return undefined;
}

function accepts(expression: string): boolean {
  try {
    cronSchedule(expression);
    return true;
  } catch {
    return false;
  }
}

function timeZoneProblem(zone: string): string {
  const shown = zone.length <= 40 && !zone.includes("\n") ? ` "${zone}"` : "";
  const [closest] = closestNames(zone, [...Intl.supportedValuesOf("timeZone"), "UTC"], 1);
  const hint = closest === undefined ? "" : ` (did you mean "${closest}"?)`;
  return `unknown time zone${shown}${hint}; write an IANA name such as Asia/Tokyo, Europe/Berlin or UTC`;
}

const cronExpression = z.string().superRefine((text, ctx) => {
  const problem = cronProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});

const timeZone = z.string().superRefine((zone, ctx) => {
  if (!isTimeZone(zone)) ctx.addIssue({ code: "custom", message: timeZoneProblem(zone) });
});

export const freezeSchema = closedObject({
  name: z
    .string()
    .regex(APP_NAME, "must be one word of letters, digits, '.', '_' or '-' (it names the freeze in Slack)"),
  cron: cronExpression,
  duration: boundedDurationMs({
    minMs: 1,
    maxMs: MAX_FREEZE_MS,
    tooShort: "a freeze must last longer than 0s",
    tooLong: "a freeze may last at most 31 days (744h); split a longer one into several freezes",
  }),
  timezone: timeZone.optional(),
  apps: z
    .array(z.string().regex(APP_NAME, "must be the name of an app listed under apps:"))
    .refine((apps) => apps.length > 0, {
      message: "must not be empty; leave apps out to freeze every app",
    })
    .optional(),
  overriders: z.array(slackPrincipal).optional(),
  reason: z.string().optional(),
});
