-- Domain events: every change a feature or an integration cares about, appended in the same
-- transaction as the change. Subscribers (features reacting to each other, the webhook fan-out)
-- read the stream in (tx_id, id) order, and only below the oldest transaction still running
-- (pg_snapshot_xmin), so an event committed late with a lower id is never skipped.

CREATE TABLE domain_events (
  id          bigserial PRIMARY KEY,
  tx_id       xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type        text NOT NULL,
  version     smallint NOT NULL DEFAULT 1,
  occurred_at timestamptz NOT NULL,
  actor_id    bigint,
  case_id     bigint,
  customer_id bigint,
  payload     jsonb NOT NULL
);
CREATE INDEX domain_events_order ON domain_events (tx_id, id);
CREATE INDEX domain_events_case ON domain_events (case_id, id) WHERE case_id IS NOT NULL;
CREATE INDEX domain_events_customer ON domain_events (customer_id, id) WHERE customer_id IS NOT NULL;

-- One row per subscriber: where it is in the stream, and why it is stuck if it is.
CREATE TABLE event_cursors (
  subscriber   text PRIMARY KEY,
  last_tx_id   xid8 NOT NULL DEFAULT '0',
  last_id      bigint NOT NULL DEFAULT 0,
  attempts     int NOT NULL DEFAULT 0,
  retry_at     timestamptz,
  last_error   text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- An event a subscriber failed on repeatedly is set aside here (and the stream goes on), so one
-- bad event cannot stop a feature for everyone; admins see and can replay it.
CREATE TABLE event_failures (
  id         bigserial PRIMARY KEY,
  subscriber text NOT NULL,
  event_id   bigint NOT NULL REFERENCES domain_events(id),
  error      text NOT NULL,
  failed_at  timestamptz NOT NULL,
  resolved_at timestamptz,
  UNIQUE (subscriber, event_id)
);

CREATE TABLE webhooks (
  id            bigserial PRIMARY KEY,
  url           text NOT NULL,
  description   text,
  events        text[] NOT NULL,
  secret        text NOT NULL,
  previous_secret text,
  previous_secret_until timestamptz,
  active        boolean NOT NULL DEFAULT true,
  disabled_reason text,
  created_by    bigint REFERENCES staff(id),
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  webhook_id      bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id        bigint NOT NULL REFERENCES domain_events(id),
  -- Deliveries with the same key go one at a time, in order (per case, else per customer).
  order_key       text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        int NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  leased_until    timestamptz,
  last_status_code int,
  last_error      text,
  last_duration_ms int,
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_line ON webhook_deliveries (webhook_id, order_key, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id DESC);

-- A committed event wakes the subscribers of every instance at once (one signal per statement;
-- PostgreSQL folds identical signals of one transaction into one).
CREATE FUNCTION kept_announce_domain_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kept_events', '{"type":"domain"}');
  RETURN NULL;
END $$;

CREATE TRIGGER domain_events_announce AFTER INSERT ON domain_events
  FOR EACH STATEMENT EXECUTE FUNCTION kept_announce_domain_events();
