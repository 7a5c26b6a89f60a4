-- Live updates without extra round trips: every timeline entry and every notification
-- announces itself on the kept_events channel when its transaction commits. App instances
-- LISTEN and push the signal to browsers (src/core/events.ts).

CREATE FUNCTION kept_announce_case_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kept_events', json_build_object('type', 'case', 'caseId', NEW.case_id, 'kind', NEW.kind)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER case_entries_announce AFTER INSERT ON case_entries
  FOR EACH ROW EXECUTE FUNCTION kept_announce_case_entry();

CREATE FUNCTION kept_announce_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kept_events', json_build_object('type', 'notification', 'staffId', NEW.staff_id, 'kind', NEW.kind, 'caseId', NEW.case_id)::text);
  RETURN NULL;
END $$;

CREATE TRIGGER notifications_announce AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION kept_announce_notification();
