-- Queues search the words of the messages too, not only subjects and names.
CREATE INDEX case_entries_text_idx ON case_entries USING gin (to_tsvector('simple', coalesce(body, '')));
