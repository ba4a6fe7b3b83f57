-- Slack threads: where each deployment is reported. A row is written when a deployment is requested from
-- Slack (before its first event is delivered), so the thread root lands in the channel it was asked in;
-- `root_ts` is filled once the root message is posted.
CREATE TABLE slack_threads (
  deployment_id TEXT PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
  channel       TEXT NOT NULL,
  root_ts       TEXT,
  created_at    INTEGER NOT NULL
);

-- What has been posted into a thread, by key (`event:<id>`, `analysis:<stage>`, `chart:<stage>`), so a
-- restarted bot neither loses nor repeats replies.
CREATE TABLE slack_posts (
  deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  post_key      TEXT NOT NULL,
  ts            TEXT NOT NULL,
  posted_at     INTEGER NOT NULL,
  PRIMARY KEY (deployment_id, post_key)
);

-- Overrides of freeze windows: who deployed during which freeze, and why (an audit trail kept even if
-- the deployment rows are later pruned).
CREATE TABLE freeze_overrides (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id TEXT NOT NULL,
  app           TEXT NOT NULL,
  freeze_name   TEXT NOT NULL,
  actor         TEXT NOT NULL,
  reason        TEXT NOT NULL,
  at            INTEGER NOT NULL
);
CREATE INDEX freeze_overrides_by_app ON freeze_overrides (app, at DESC);
