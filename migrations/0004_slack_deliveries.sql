-- Slack deliveries already taken (a command's trigger id, a click's trigger id and action ts, an event's
-- id), so that a request Slack retries, or a signed request captured and replayed, is acted on once,
-- also after a restart. Rows are kept only while such a request could still pass the signature check
-- (src/slack/delivery-log.ts), then deleted.
CREATE TABLE slack_deliveries (
  delivery_key TEXT PRIMARY KEY,
  seen_at      INTEGER NOT NULL
);
CREATE INDEX slack_deliveries_by_age ON slack_deliveries (seen_at);
