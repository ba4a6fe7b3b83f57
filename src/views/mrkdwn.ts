/**
 * Text helpers for Slack mrkdwn. Everything a user or a config file wrote (reasons, descriptions, app
 * names, analysis reasons) goes through `escapeMrkdwn` before it is put into a message, so a reason like
 * "fix <script> & co" cannot turn into a link, a mention or broken markup. Slack asks for exactly three
 * escapes: `&`, `<`, `>`.
 */

export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * Shortens `text` to at most `max` characters (code units), ending with "…" when cut. Cuts never split
 * a surrogate pair or an escape such as `&amp;`, so escaped text stays well-formed.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && amp >= cut - 5 && !text.slice(amp, cut).includes(";")) cut = amp;
  return `${text.slice(0, cut)}…`;
}

/** Escapes, then truncates: the usual treatment of user text inside mrkdwn. */
export function userText(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max);
}

/**
 * A mention of a Slack user (`U…`/`W…`) or user group (`S…`). Anything else (a `cli:alice` actor, a
 * name from a test) is shown as escaped plain text, since `<@cli:alice>` would render as garbage.
 */
export function mention(id: string): string {
  if (/^[UW][A-Z0-9]{2,}$/.test(id)) return `<@${id}>`;
  if (/^S[A-Z0-9]{2,}$/.test(id)) return `<!subteam^${id}>`;
  return escapeMrkdwn(id);
}

export function channelLink(id: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(id) ? `<#${id}>` : escapeMrkdwn(id);
}

/** A link with a label; the label is escaped, the URL must not contain `|` or `>`. */
export function link(url: string, label: string): string {
  const safe = url.replaceAll("|", "%7C").replaceAll(">", "%3E").replaceAll("<", "%3C");
  return `<${safe}|${escapeMrkdwn(label)}>`;
}

export type DateStyle = "time" | "date_time";

/**
 * Slack's date token: each reader sees the time in their own timezone; the fallback (for clients that
 * cannot render it, and for notifications) is UTC, computed from `ms` alone so output is deterministic.
 */
export function slackDate(ms: number, style: DateStyle = "time"): string {
  const unix = Math.floor(ms / 1000);
  const iso = new Date(ms).toISOString();
  const time = iso.slice(11, 16);
  const token = style === "time" ? "{time}" : "{date_short_pretty} {time}";
  const fallback = style === "time" ? `${time} UTC` : `${iso.slice(0, 10)} ${time} UTC`;
  return `<!date^${unix}^${token}|${fallback}>`;
}

/** `45s`, `12m 5s`, `2h 10m`, `3d 4h`: durations for people. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** How long ago `then` was, at `now`: "5m ago", "just now". */
export function ago(then: number, now: number): string {
  const ms = now - then;
  return ms < 1000 ? "just now" : `${formatDuration(ms)} ago`;
}

/** Integers grouped by thousands with spaces, as in "10 000". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const rounded = Math.round(n);
  const sign = rounded < 0 ? "-" : "";
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** At most 3 significant digits, no exponent for everyday magnitudes: 4.9, 0.52, 412, 1.2e-4. */
export function formatFigure(n: number | null | undefined): string {
  if (n === null || n === undefined) return "n/a";
  if (n === Number.POSITIVE_INFINITY) return "∞";
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (abs < 0.001 || abs >= 1e7) return n.toExponential(1);
  if (abs >= 1000) return formatCount(n);
  return String(Number(n.toPrecision(abs >= 100 ? 3 : 2)));
}

/** A share as a percentage with two decimals at most: 0.0052 → "0.52%". */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return "n/a";
  const pct = (part / whole) * 100;
  return `${Number(pct.toFixed(pct >= 10 ? 1 : 2))}%`;
}

/**
 * Engine reasons name people by raw Slack id ("rollback requested by U024BE7LH"); shown as mentions they
 * render as names. Applied to already-escaped text, so it cannot create any other markup.
 */
export function linkifyUserIds(escaped: string): string {
  return escaped.replace(/(?<![\w@^])([UW](?=[A-Z0-9]*\d)[A-Z0-9]{8,})(?![\w>])/g, "<@$1>");
}

/** Engine- or user-written reason: escaped, truncated, user ids shown as mentions. */
export function reasonText(text: string, max: number): string {
  return linkifyUserIds(userText(text, max));
}
