-- Department scorecards read a period's cases (and the 7 days after, for repeat contacts) across
-- every department at once: by opening time alone, which no other index on cases leads with.
CREATE INDEX cases_opened_idx ON cases (opened_at);
