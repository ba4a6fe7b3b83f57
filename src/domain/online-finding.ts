/**
 * One result of `kanaria check-config --online`: what was checked against the live Slack, Datadog or
 * AWS, and what to fix. Each finding is printed as one line.
 */
export interface OnlineFinding {
  severity: "error" | "warning";
  /** What it is about: `slack`, `datadog provider "datadog"`, `app web`. */
  subject: string;
  /** What is wrong and what to do about it. */
  message: string;
}

export function formatFinding(finding: OnlineFinding): string {
  return `${finding.severity}: ${finding.subject}: ${finding.message}`;
}
