-- Live signals after the commit, not inside it. PostgreSQL holds one lock from a NOTIFYing
-- transaction's pre-commit until its commit is flushed to disk, so NOTIFYing writes cannot share
-- a flush: on the 2-core machine a one-row write with a NOTIFY reached a quarter of the same write
-- without one. Inside a transaction begun by Kept's driver (src/core/db/pipeline.ts sets
-- kept.defer_announce), the triggers now collect their signals in a transaction-local setting;
-- the driver reads it in the COMMIT's round trip and, once committed, sends them with pg_notify
-- from a transaction of their own that writes nothing, so it needs no flush and holds the lock
-- only for a moment. A signal still exists only if its change committed. Any other writer (psql,
-- raw clients) is announced inside its transaction as before.
CREATE FUNCTION kept_announce(payload text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('kept.defer_announce', true) = 'on' THEN
    PERFORM set_config('kept.announce', coalesce(current_setting('kept.announce', true), '') || payload || E'\n', true);
  ELSE
    PERFORM pg_notify('kept_events', payload);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION kept_announce_case_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM kept_announce(json_build_object('type', 'case', 'caseId', NEW.case_id, 'kind', NEW.kind)::text);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kept_announce_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM kept_announce(json_build_object('type', 'notification', 'staffId', NEW.staff_id, 'kind', NEW.kind, 'caseId', NEW.case_id)::text);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kept_announce_domain_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM kept_announce('{"type":"domain"}');
  RETURN NULL;
END $$;
