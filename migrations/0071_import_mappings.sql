-- Imports from other help desks remember what each outside record became, so running an
-- import again adds only what is new and never duplicates.
CREATE TABLE import_mappings (
  source      text NOT NULL,          -- 'zendesk', 'csv'
  kind        text NOT NULL,          -- 'user', 'ticket', 'rating', 'row'
  external_id text NOT NULL,
  kept_id     bigint NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (source, kind, external_id)
);
