-- Commands that act on a blocked rollback: RETRY_ROLLBACK (try again now) and MARK_FIXED (a person
-- did the rollback's work by hand). SQLite cannot change a CHECK constraint in place, so the table is
-- rebuilt with the same columns, rows and ids.
CREATE TABLE commands_new (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id  TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  kind           TEXT NOT NULL CHECK (kind IN ('APPROVE', 'ROLLBACK', 'CANCEL', 'SKIP_STAGE', 'PROMOTE',
                                               'RETRY_ROLLBACK', 'MARK_FIXED')),
  actor          TEXT NOT NULL,
  actor_groups   TEXT NOT NULL DEFAULT '[]',
  -- Slack delivery / action id: a redelivered request inserts nothing.
  dedupe_key     TEXT UNIQUE,
  created_at     INTEGER NOT NULL,
  handled_at     INTEGER,
  outcome        TEXT CHECK (outcome IN ('APPLIED', 'REFUSED', 'IGNORED')),
  outcome_reason TEXT
);
INSERT INTO commands_new (id, deployment_id, kind, actor, actor_groups, dedupe_key, created_at, handled_at,
                          outcome, outcome_reason)
  SELECT id, deployment_id, kind, actor, actor_groups, dedupe_key, created_at, handled_at, outcome,
         outcome_reason
  FROM commands;
DROP TABLE commands;
ALTER TABLE commands_new RENAME TO commands;
CREATE INDEX commands_pending ON commands (deployment_id, id) WHERE handled_at IS NULL;
