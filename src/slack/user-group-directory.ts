/**
 * Who belongs to which Slack user group (`S…` ids in `deployers` / `approvers`). Memberships are read
 * with `usergroups.users.list` and cached for a short while: a click must be answered within 3 s, and a
 * member removed from a group loses their rights within `ttlMs`.
 */
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../engine/logger.js";

export interface UserGroups {
  /** The groups among `candidates` (ids starting with S) that `user` belongs to. */
  groupsOf(user: string, candidates: readonly string[]): Promise<string[]>;
}

interface Cached {
  members: Set<string>;
  fetchedAt: number;
}

export class UserGroupDirectory implements UserGroups {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: Pick<WebClient, "usergroups">,
    private readonly clock: { now(): number },
    private readonly logger: Logger,
    private readonly ttlMs = 60_000,
  ) {}

  async groupsOf(user: string, candidates: readonly string[]): Promise<string[]> {
    const groups = [...new Set(candidates.filter((c) => c.startsWith("S")))];
    const members = await Promise.all(groups.map((g) => this.members(g)));
    return groups.filter((_, i) => members[i]?.has(user));
  }

  private async members(group: string): Promise<Set<string>> {
    const cached = this.cache.get(group);
    const now = this.clock.now();
    if (cached && now - cached.fetchedAt < this.ttlMs) return cached.members;
    try {
      const result = await this.client.usergroups.users.list({ usergroup: group });
      const members = new Set(result.users ?? []);
      this.cache.set(group, { members, fetchedAt: now });
      return members;
    } catch (error) {
      // Fail closed, but keep a recent answer rather than locking everyone out during a Slack hiccup.
      this.logger.warn({ err: error, group }, "could not read user group members");
      return cached?.members ?? new Set();
    }
  }
}
