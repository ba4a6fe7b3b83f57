/**
 * Every request the sandbox Slack answered, in order: the Web API method (or `upload` / `respond`), its
 * decoded arguments, the HTTP status and Slack's `error` when it failed. Tests read it to count calls
 * ("three chat.update") and to see exactly what the bot sent.
 */

export interface SlackCall {
  /** `chat.postMessage`, …; `upload` for file bytes, `respond` for a response URL. */
  method: string;
  args: Record<string, unknown>;
  status: number;
  /** Slack's `error` (`channel_not_found`, `ratelimited`, …) when the call failed. */
  error: string | undefined;
  /** Clock time of the answer. */
  atMs: number;
}

export class SlackCallLog {
  private readonly calls: SlackCall[] = [];

  record(call: SlackCall): void {
    this.calls.push(call);
  }

  /** Calls so far, optionally of one method. */
  list(method?: string): SlackCall[] {
    return this.calls.filter((c) => method === undefined || c.method === method);
  }

  clear(): void {
    this.calls.length = 0;
  }
}
