/**
 * One `freezes[i]` entry of kanaria.yaml: a recurring window (a cron expression for its starts, a
 * duration) in which deployments are refused. Cron expressions are validated by node-cron, the library
 * whose semantics the freeze rule (src/domain/freeze-window.ts) follows, so what passes here is exactly
 * what the rule can evaluate.
 */
import { validateDetailed } from "node-cron";
import { z } from "zod";
import { closestNames } from "../domain/closest-names.js";
import { boundedDurationMs } from "./duration.js";
import { APP_NAME, slackPrincipal } from "./kanaria-schema.js";
import { closedObject } from "./zod-issues.js";

export const MAX_FREEZE_MS = 31 * 24 * 3_600_000;

/** node-cron's field keys, as people read them, with what each accepts. */
const CRON_FIELDS: Record<string, string> = {
  second: "second field (0–59)",
  minute: "minute field (0–59)",
  hour: "hour field (0–23)",
  dayOfMonth: "day-of-month field (1–31, L, LW, 15W or L-3)",
  month: "month field (1–12 or jan–dec)",
  dayOfWeek: "day-of-week field (0–7 or sun–sat, 5L for the last Friday, 1#2 for the second Monday)",
};

const CRON_SHAPE =
  '5 fields (minute hour day-of-month month day-of-week, e.g. "0 18 * * fri") or 6 with seconds first';

/**
 * Why `text` is not a cron expression node-cron accepts, naming the wrong field(s); undefined when it is
 * one. Field values are echoed (they are a few characters of cron syntax), the whole expression is not.
 */
export function cronProblem(text: string): string | undefined {
  let result: ReturnType<typeof validateDetailed>;
  try {
    result = validateDetailed(text);
  } catch {
    return `is not a cron expression; write ${CRON_SHAPE}`;
  }
  if (result.valid) return undefined;
  const problems = result.errors.map((error) => {
    if (error.field === "expression") {
      const count = /expected 5 or 6 fields but got (\d+)/.exec(error.message);
      if (count) return `a cron expression has ${CRON_SHAPE}; this one has ${count[1]}`;
      return `is not a cron expression: only digits, names (jan, fri), spaces and * , - / ? L W # are allowed; write ${CRON_SHAPE}`;
    }
    if (error.message.includes("impossible day of month")) {
      return `the day-of-month field ("${error.value ?? ""}") names no day that exists in the months given, so the freeze would never start`;
    }
    const field = CRON_FIELDS[error.field] ?? `${error.field} field`;
    return `the ${field} is invalid (got "${error.value ?? ""}")`;
  });
  return `invalid cron expression: ${problems.join("; ")}`;
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
