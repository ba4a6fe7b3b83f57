import type { Database } from "better-sqlite3";

/** Where a deployment is reported in Slack: its channel and, once posted, the thread root's `ts`. */
export interface SlackThread {
  deploymentId: string;
  channel: string;
  rootTs: string | undefined;
  createdAt: number;
}

interface ThreadRow {
  deployment_id: string;
  channel: string;
  root_ts: string | null;
  created_at: number;
}

/**
 * Slack threads and the posts made into them. The notifier records each post by a stable key after
 * Slack accepted it, so that a restart resumes the thread instead of starting it again.
 */
export class SlackThreadRepository {
  constructor(private readonly db: Database) {}

  /** Records the channel a deployment was asked in; an existing row is kept as it is. */
  ensure(deploymentId: string, channel: string, at: number): SlackThread {
    this.db
      .prepare(
        `INSERT INTO slack_threads (deployment_id, channel, created_at) VALUES (?, ?, ?)
         ON CONFLICT (deployment_id) DO NOTHING`,
      )
      .run(deploymentId, channel, at);
    const thread = this.get(deploymentId);
    if (!thread) throw new Error(`slack thread of ${deploymentId} vanished right after insert`);
    return thread;
  }

  get(deploymentId: string): SlackThread | undefined {
    const row = this.db.prepare("SELECT * FROM slack_threads WHERE deployment_id = ?").get(deploymentId) as
      | ThreadRow
      | undefined;
    return row && fromRow(row);
  }

  setRoot(deploymentId: string, rootTs: string): void {
    this.db.prepare("UPDATE slack_threads SET root_ts = ? WHERE deployment_id = ?").run(rootTs, deploymentId);
  }

  /** The deployment whose thread root is `rootTs` in `channel` (mentions inside a thread ask about it). */
  byRoot(channel: string, rootTs: string): SlackThread | undefined {
    const row = this.db
      .prepare("SELECT * FROM slack_threads WHERE channel = ? AND root_ts = ?")
      .get(channel, rootTs) as ThreadRow | undefined;
    return row && fromRow(row);
  }

  /** Returns false when a post with this key was already recorded. */
  recordPost(deploymentId: string, key: string, ts: string, at: number): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO slack_posts (deployment_id, post_key, ts, posted_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (deployment_id, post_key) DO NOTHING`,
      )
      .run(deploymentId, key, ts, at);
    return result.changes === 1;
  }

  /** The ts of the post recorded under `key`, for a reply that is updated in place. */
  postTs(deploymentId: string, key: string): string | undefined {
    const row = this.db
      .prepare("SELECT ts FROM slack_posts WHERE deployment_id = ? AND post_key = ?")
      .get(deploymentId, key) as { ts: string } | undefined;
    return row?.ts;
  }

  hasPost(deploymentId: string, key: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM slack_posts WHERE deployment_id = ? AND post_key = ?")
        .get(deploymentId, key) !== undefined
    );
  }
}

function fromRow(r: ThreadRow): SlackThread {
  return {
    deploymentId: r.deployment_id,
    channel: r.channel,
    rootTs: r.root_ts ?? undefined,
    createdAt: r.created_at,
  };
}
