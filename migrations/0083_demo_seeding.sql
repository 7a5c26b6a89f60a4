-- The demo year as it is written in the background by `kept start --demo`. While the row is
-- unfinished the server holds its timers and subscribers and refuses writes (they would act on the
-- simulated year with today's clock), the workspace shows the progress, and a start that finds it
-- unfinished knows the seeding was interrupted and begins again on a clean slate.
CREATE TABLE demo_seeding (
  id          int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  phase       text NOT NULL DEFAULT 'starting',
  done        int NOT NULL DEFAULT 0,
  total       int NOT NULL DEFAULT 0
);
