-- Kanaria's first schema. Timestamps are UTC milliseconds. JSON columns hold plain objects.

CREATE TABLE deployments (
  id               TEXT PRIMARY KEY,
  app              TEXT NOT NULL,
  version          TEXT NOT NULL,
  previous_version TEXT,
  requester        TEXT NOT NULL,
  reason           TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL CHECK (status IN ('PLANNED', 'RUNNING', 'WAITING_APPROVAL', 'ROLLING_BACK',
                                                   'SUCCESS', 'FAILURE', 'ROLLED_BACK', 'CANCELLED')),
  status_reason    TEXT NOT NULL DEFAULT '',
  rollback_cause   TEXT CHECK (rollback_cause IN ('STAGE_FAILURE', 'COMMAND', 'CANCEL', 'DEPLOYMENT_TIMEOUT')),
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  deadline_at      INTEGER NOT NULL,
  app_config       TEXT NOT NULL,
  access           TEXT NOT NULL,
  context          TEXT NOT NULL DEFAULT '{}'
);

-- One active deployment per app, enforced by the database itself so that two racing requests (two
-- processes, a double click) can never both start.
CREATE UNIQUE INDEX deployments_one_active_per_app ON deployments (app)
  WHERE status IN ('PLANNED', 'RUNNING', 'WAITING_APPROVAL', 'ROLLING_BACK');
CREATE INDEX deployments_by_app ON deployments (app, created_at DESC);
CREATE INDEX deployments_by_status ON deployments (status);

CREATE TABLE stages (
  deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  idx           INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  stage_id      TEXT NOT NULL,
  description   TEXT NOT NULL DEFAULT '',
  visible       INTEGER NOT NULL CHECK (visible IN (0, 1)),
  options       TEXT NOT NULL,
  timeout_ms    INTEGER NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('NOT_STARTED', 'RUNNING', 'SUCCESS', 'FAILURE', 'SKIPPED', 'CANCELLED')),
  status_reason TEXT NOT NULL DEFAULT '',
  state         TEXT NOT NULL DEFAULT '{}',
  attempts      INTEGER NOT NULL DEFAULT 0,
  started_at    INTEGER,
  finished_at   INTEGER,
  PRIMARY KEY (deployment_id, idx)
);

CREATE TABLE events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  at            INTEGER NOT NULL,
  type          TEXT NOT NULL,
  stage_idx     INTEGER,
  actor         TEXT,
  message       TEXT NOT NULL,
  data          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_deployment ON events (deployment_id, id);

CREATE TABLE commands (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id  TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  kind           TEXT NOT NULL CHECK (kind IN ('APPROVE', 'ROLLBACK', 'CANCEL', 'SKIP_STAGE', 'PROMOTE')),
  actor          TEXT NOT NULL,
  actor_groups   TEXT NOT NULL DEFAULT '[]',
  -- Slack delivery / action id: a redelivered request inserts nothing.
  dedupe_key     TEXT UNIQUE,
  created_at     INTEGER NOT NULL,
  handled_at     INTEGER,
  outcome        TEXT CHECK (outcome IN ('APPLIED', 'REFUSED', 'IGNORED')),
  outcome_reason TEXT
);
CREATE INDEX commands_pending ON commands (deployment_id, id) WHERE handled_at IS NULL;

CREATE TABLE measurements (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  stage_idx     INTEGER NOT NULL,
  metric        TEXT NOT NULL,
  at            INTEGER NOT NULL,
  verdict       TEXT NOT NULL,
  data          TEXT NOT NULL DEFAULT '{}',
  -- A tick re-run after a crash replaces nothing and duplicates nothing.
  UNIQUE (deployment_id, stage_idx, metric, at)
);

CREATE TABLE locks (
  app        TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  reason     TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- The single `kanaria serve` allowed to drive this database.
CREATE TABLE lease (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  holder       TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  acquired_at  INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
