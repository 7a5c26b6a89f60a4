/**
 * Moments of truth at scale: the journey map, every department's scorecard and the service-stars
 * page for one month, over BENCH_ROWS cases and as many survey answers spread over a year
 * (6 touchpoints, 40 departments, 60 teams, 400 staff; a fifth of the answers carry a comment,
 * many naming their agent; promises on a tenth of the cases, recoveries on a twentieth, kudos).
 * All generated with INSERT … SELECT generate_series. Each computation: median of 5 runs after a
 * warm-up, against a 300 ms target.
 * Run by bench/run.ts, or alone: node --import tsx bench/loyalty-map.ts (embedded PostgreSQL).
 *   BENCH_ROWS=1000000
 */
import { freshDatabase } from './fresh-database';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createKept } from '../src/app';
import { systemClock } from '../src/core/clock';
import { createStaff } from '../src/staff';
import { journeyMap } from '../src/touchpoints/map';
import { listScorecards } from '../src/scorecards/service';
import { serviceStars } from '../src/stars/service';
import { startEmbeddedCluster, type Cluster } from '../test/helpers/clusters';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TARGET_MS = 300;
const DEPARTMENTS = 40;
const TEAMS = 60;
const STAFF = 400;
const CUSTOMERS = 50_000;
const TOUCHPOINTS = ['discover', 'buy', 'deliver', 'bill', 'get_help', 'renew'];

type Kept = Awaited<ReturnType<typeof createKept>>;

/** Fills an empty, migrated database; every table with set-based SQL (no per-row round trips). */
async function generate(kept: Kept, rows: number) {
  const q = (s: ReturnType<typeof sql>) => s.execute(kept.db);
  await q(sql`INSERT INTO departments (name, serves_external_customers) SELECT 'Department ' || g, g % 4 <> 0 FROM generate_series(1, ${DEPARTMENTS}) g`);
  await q(sql`INSERT INTO teams (name, department_id) SELECT 'Map team ' || g, (SELECT min(id) FROM departments) + (g - 1) % ${DEPARTMENTS} FROM generate_series(1, ${TEAMS}) g`);
  await q(sql`INSERT INTO staff (name, email, role, team_id, department_id)
    SELECT (ARRAY['Anna','Ben','Carla','David','Eva','Farid','Greta','Hugo','Ines','Jonas','Kira','Lena','Marco','Nina','Omar','Paula','Quentin','Rosa','Sami','Tara'])[1 + g % 20]
        || ' ' || (ARRAY['Adler','Berg','Costa','Dahl','Engel','Fischer','Graf','Horn','Iversen','Jung','Keller','Lang','Moreau','Novak','Olsen','Petit','Quinn','Roth','Stein','Vogel'])[1 + (g / 20) % 20],
      'map.staff' || g || '@bench.example', 'agent', t.id, t.department_id
    FROM generate_series(0, ${STAFF - 1}) g JOIN teams t ON t.name = 'Map team ' || (1 + g % ${TEAMS})`);
  await q(sql`INSERT INTO touchpoints (key, name, department_id, moment_of_truth)
    SELECT k, initcap(replace(k, '_', ' ')), (SELECT min(id) FROM departments) + o::int - 1, k IN ('deliver', 'get_help')
    FROM unnest(${TOUCHPOINTS}::text[]) WITH ORDINALITY AS x(k, o)`);
  await q(sql`INSERT INTO customers (name) SELECT 'Map customer ' || g FROM generate_series(1, ${CUSTOMERS}) g`);
  await q(sql`INSERT INTO surveys (name, trigger, questions, active) VALUES ('Map bench', 'case_resolved', '[{"kind":"nps"},{"kind":"ces"}]', false)`);
  // Ids are dense from these minima (fresh database, one statement each).
  const base = (await sql<{ c: number; s: number; cu: number; t: number; d: number }>`SELECT (SELECT min(id) FROM staff WHERE email LIKE 'map.staff%')::int AS s,
    (SELECT min(id) FROM customers)::int AS cu, (SELECT min(id) FROM teams)::int AS t, (SELECT min(id) FROM departments)::int AS d, 0 AS c`.execute(kept.db)).rows[0]!;

  // Cases over the last 365 days; the owner's team and department follow from the owner's number;
  // every tenth case is the same customer back about the same need minutes later (a repeat contact).
  await q(sql`INSERT INTO cases (subject, customer_id, channel, type, priority, status, owner_id, team_id, touchpoint, caused_by_department_id, requester_department_id,
      tags, opened_at, resolved_at, resolution_due_at, updated_at)
    SELECT 'Map case ' || g, ${base.cu} + (k::bigint * 7919) % ${CUSTOMERS}, 'email',
      (ARRAY['question','problem','complaint','billing','delivery'])[1 + k % 5], 'normal',
      CASE WHEN g % 10 = 0 THEN 'open' ELSE 'resolved' END,
      ${base.s} + g % ${STAFF}, ${base.t} + (g % ${STAFF}) % ${TEAMS},
      (${TOUCHPOINTS}::text[])[1 + g % 6],
      CASE WHEN g % 10 = 3 THEN ${base.d} + g % ${DEPARTMENTS} END,
      CASE WHEN g % 50 = 7 THEN ${base.d} + (g / 50) % ${DEPARTMENTS} END,
      '{}', now() - (g::float8 / ${rows} * 365) * interval '1 day',
      CASE WHEN g % 10 <> 0 THEN now() - (g::float8 / ${rows} * 365) * interval '1 day' + (g % 48) * interval '1 hour' END,
      now() - (g::float8 / ${rows} * 365) * interval '1 day' + interval '24 hours', now()
    FROM generate_series(1, ${rows}) g CROSS JOIN LATERAL (SELECT CASE WHEN g % 10 = 2 THEN g - 1 ELSE g END AS k) r`);
  const firstCase = Number((await sql<{ id: number }>`SELECT min(id)::int AS id FROM cases`.execute(kept.db)).rows[0]!.id);

  // Survey answers on the cases (case g ↔ answer g), a fifth with a comment, most naming the agent.
  await q(sql`INSERT INTO survey_responses (survey_id, customer_id, case_id, agent_id, team_id, department_id, case_type, case_channel, touchpoint, answers, nps, ces, comment, started_at, updated_at, completed_at)
    SELECT (SELECT min(id) FROM surveys), c.customer_id, c.id, c.owner_id, c.team_id, s.department_id, c.type, c.channel, c.touchpoint, '{}',
      x.nps, 1 + (c.id * 13) % 7,
      CASE WHEN c.id % 5 = 0 THEN CASE WHEN x.nps >= 9 THEN 'Thank you ' || split_part(s.name, ' ', 1) || ', great and friendly help, really appreciated'
                                       WHEN x.nps >= 7 THEN 'It was fine, ' || s.name || ' answered in the end'
                                       ELSE 'Terrible wait, nobody helped and the problem is still not solved' END END,
      c.opened_at + interval '2 days', c.opened_at + interval '2 days', c.opened_at + interval '2 days'
    FROM cases c JOIN staff s ON s.id = c.owner_id
    CROSS JOIN LATERAL (SELECT CASE WHEN c.touchpoint = 'bill' THEN greatest(0, (c.id * 7 + c.id / 6) % 11 - 3) ELSE (c.id * 7 + c.id / 6) % 11 END AS nps) x
    WHERE c.id < ${firstCase + rows}`);
  // Promises on a tenth of the cases, recoveries on a twentieth, kudos on a hundredth.
  await q(sql`INSERT INTO commitments (case_id, customer_id, kind, text, owner_id, team_id, department_id, status, due_at, created_at, kept_at, broken_at)
    SELECT c.id, c.customer_id, 'promise', 'Call back', c.owner_id, c.team_id, s.department_id,
      CASE WHEN c.id % 7 = 0 THEN 'broken' ELSE 'kept' END, c.opened_at + interval '1 day', c.opened_at,
      CASE WHEN c.id % 7 <> 0 THEN c.opened_at + interval '20 hours' END, CASE WHEN c.id % 7 = 0 THEN c.opened_at + interval '1 day' END
    FROM cases c JOIN staff s ON s.id = c.owner_id WHERE c.id % 10 = 1`);
  await q(sql`INSERT INTO recoveries (case_id, customer_id, source, owner_id, caused_by_department_id, status, opened_at, due_at, fix_at)
    SELECT c.id, c.customer_id, 'complaint', c.owner_id, coalesce(c.caused_by_department_id, ${base.d} + c.id % ${DEPARTMENTS}),
      CASE WHEN c.id % 3 = 0 THEN 'late' ELSE 'recovered' END, c.opened_at, c.opened_at + interval '24 hours',
      c.opened_at + (CASE WHEN c.id % 3 = 0 THEN 40 ELSE 6 END) * interval '1 hour'
    FROM cases c WHERE c.id % 20 = 2`);
  await q(sql`INSERT INTO kudos (to_staff_id, from_customer_id, case_id, reason, created_at)
    SELECT c.owner_id, c.customer_id, c.id, 'Went out of their way', c.opened_at + interval '3 days' FROM cases c WHERE c.id % 100 = 5`);
  await q(sql`ANALYZE`);
}

/** For checks that compare computations on the generated data. */
export const generateForTest = generate;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(run: () => Promise<unknown>) {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return { median: median(times), max: Math.max(...times) };
}

export async function benchLoyaltyMap(cluster: Cluster) {
  const url = await freshDatabase(cluster, 'kept_bench_map');
  const kept = await createKept({ databaseUrl: url, clock: systemClock, logLevel: 'silent', poolSize: 20, autoTimers: false });
  try {
    const t0 = performance.now();
    await generate(kept, ROWS);
    const filled = (performance.now() - t0) / 1000;
    const boss = await createStaff(kept.ctx, { name: 'Map Executive', email: 'map.exec@bench.example', role: 'executive' });
    const ctx = { ...kept.ctx, actor: { id: boss.id, name: boss.name, role: boss.role, teamId: null, departmentId: null } };
    const to = new Date();
    const period = { from: new Date(to.getTime() - 30 * 86_400_000), to };
    const counts = (await sql<{ cases: number; answers: number; comments: number; month: number }>`SELECT (SELECT count(*) FROM cases)::int AS cases,
      (SELECT count(*) FROM survey_responses)::int AS answers, (SELECT count(comment) FROM survey_responses)::int AS comments,
      (SELECT count(*) FROM survey_responses WHERE started_at >= ${period.from} AND started_at < ${period.to})::int AS month`.execute(kept.db)).rows[0]!;
    const map = await timed(() => journeyMap(ctx, period));
    const cards = await timed(() => listScorecards(ctx, period));
    const stars = await timed(() => serviceStars(ctx, period));
    const [m, c, s] = await Promise.all([journeyMap(ctx, period), listScorecards(ctx, period), serviceStars(ctx, period)]);
    const cpu = os.cpus();
    console.log(`\n### ${cluster.name}: moments-of-truth map, scorecards and stars — ${counts.cases.toLocaleString('en')} cases, ${counts.answers.toLocaleString('en')} survey answers `
      + `(${counts.comments.toLocaleString('en')} with a comment; ${counts.month.toLocaleString('en')} in the month), filled in ${filled.toFixed(1)} s; ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0]!.toFixed(1)}\n`);
    console.log('| one month | what it returned | median of 5 ms | max ms | target ms |');
    console.log('|---|---|---:|---:|---:|');
    const row = (name: string, what: string, t: { median: number; max: number }) =>
      console.log(`| ${name} | ${what} | ${t.median.toFixed(0)} | ${t.max.toFixed(0)} | ${TARGET_MS}${t.median > TARGET_MS ? ' (over)' : ''} |`);
    row('journey map', `${m.touchpoints.length} touchpoints, weakest ${m.weakest?.key ?? '—'}${m.weakest?.significant ? ' (significant)' : ''}`, map);
    row('all scorecards', `${c.items.length} departments`, cards);
    row('service stars', `${s.people.length} people, ${s.people.filter((p) => p.star).length} stars`, stars);
  } finally {
    await kept.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const work = path.join(os.tmpdir(), `kept-map-bench-${process.pid}`);
  fs.mkdirSync(work, { recursive: true });
  const cluster = await startEmbeddedCluster(work);
  if ('skipped' in cluster) throw new Error(String(cluster.skipped));
  try {
    await benchLoyaltyMap(cluster);
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
