/**
 * A realistic organisation at any size, written with set-based SQL (one INSERT … SELECT
 * generate_series per table, no per-row round trips): ~400 staff in 60 teams of 12 departments,
 * a customer for every five cases, ~95 % of cases resolved or closed over two years and a few
 * thousand open ones spread over owners and teams (a tenth brand new and unowned in their team's
 * queue, some late or at risk), tags, channels, touchpoints, timelines of several entries,
 * hand-overs (accepted, a few pending), promises on a tenth of the cases (broken ones with their
 * recovery), complaints with theirs, survey invitations and answers, kudos and domain events.
 *
 * Everything is derived from the row number with a hash, so the same size gives the same data.
 * The rows obey the product's rules (test/helpers/invariants.ts checks them). Generated bench data
 * is not a user's write, so each statement commits with synchronous_commit off.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/core/db/database';
import { FEATURES } from '../../src/features';
import { rebuildSummaries } from '../../src/daily-figures';

export interface ScaleOptions {
  cases: number;
  /** The moment the data leads up to (the clock of the app that will read it). */
  now?: Date;
  log?: (line: string) => void;
  /**
   * Bulk-load (default): the big tables' secondary indexes are dropped and built again after the
   * load, and foreign keys are not re-checked row by row (session_replication_role = replica,
   * where the role may). The rows are the same; the test generates without it, so the database
   * itself checks every key and constraint.
   */
  bulk?: boolean;
}

export interface ScaleOrg {
  cases: number;
  customers: number;
  open: number;
  staff: number;
  teams: number;
  departments: number;
  /** A busy agent, the lead of that agent's team, an executive: whom the bench signs in as. */
  agentId: number;
  leadId: number;
  executiveId: number;
  teamId: number;
  /** The customer with the most cases: "a customer's whole history". */
  customerId: number;
  seconds: number;
}

const DEPARTMENTS: [string, boolean][] = [
  ['Customer Care', true], ['Billing', true], ['Logistics', true], ['Sales', true], ['Technical Support', true], ['Returns', true],
  ['Online Shop', true], ['Field Service', true], ['Quality', true], ['IT', false], ['Facilities', false], ['Finance', false],
];
const TEAMS = 60;
const STAFF = 400;
/** Staff 0..59 lead team n+1, 60..384 are agents of team n % 60 + 1; then managers, executives, an admin. */
const CASE_WORKERS = 385;
const TOUCHPOINTS: [string, string, number, boolean][] = [
  ['discover', 'Discover', 4, false], ['buy', 'Buy', 7, false], ['deliver', 'Deliver', 3, true],
  ['bill', 'Bill', 2, false], ['get_help', 'Get help', 1, true], ['renew', 'Renew', 4, false],
];
const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Eva', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Lena', 'Marco', 'Nina', 'Omar', 'Paula', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Umar', 'Vera', 'Wim', 'Yara', 'Zoe'];
const LAST = ['Adler', 'Berg', 'Costa', 'Dahl', 'Engel', 'Fischer', 'Graf', 'Horn', 'Iversen', 'Jung', 'Keller', 'Lang', 'Moreau', 'Novak', 'Olsen', 'Petit', 'Quinn', 'Roth', 'Stein', 'Vogel', 'Weber', 'Young', 'Zeller'];
/**
 * What customers write about, by case type (the subject and first message come from here). Each
 * message also carries its order and customer numbers: real text has a long tail of rare words,
 * which is what the planner's word statistics must tell apart from common ones.
 */
const TOPICS = ['question', 'problem', 'delivery', 'billing', 'complaint'];
const SUBJECTS = [
  ['How do I change my address', 'Question about my contract', 'Can I add a second user', 'Opening hours over the holidays'],
  ['The app shows an error at login', 'Kettle stopped heating after a week', 'Router keeps dropping the connection', 'Password reset mail never arrives'],
  ['My parcel is late', 'Parcel delivered to the wrong address', 'Delivery slot missed', 'Damaged box on arrival'],
  ['Charged twice this month', 'Invoice amount is wrong', 'Refund not received yet', 'Direct debit failed'],
  ['Nobody called me back as promised', 'Rude answer on the phone', 'Third time I write about this', 'Very unhappy with the repair'],
];
const MESSAGES = [
  'Hello, I would like to know how this works for my account. Thank you in advance.',
  'Since yesterday it does not work any more, I tried restarting it twice. Please help.',
  'The tracking page has said out for delivery for three days and my parcel has not arrived.',
  'My invoice shows an amount I do not recognise, please check the charge and refund it.',
  'I was promised a call back on Monday and nobody called. I am very disappointed.',
];
const REPLIES = [
  'Thank you for asking. Here is how to do it step by step; I have also updated your account.',
  'I am sorry about the trouble. I have reproduced it and a fix is on its way; I will call you tomorrow.',
  'I am sorry your parcel is late. I asked the carrier and booked a new delivery for tomorrow morning.',
  'You are right, the charge was a mistake. I have refunded it and you will see it within three days.',
  'I am sorry we let you down. I have looked into it myself and will call you today before 5 pm.',
];
const TAGS = ['vip', 'refund', 'bug', 'login', 'invoice', 'carrier', 'warranty', 'mobile-app', 'newsletter', 'urgent-review'];

const list = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;
/** A stable pseudo-random integer in [0, n) from a row number and a seed. */
const h = (col: string, seed: number, n: number) => `((hashint8extended((${col})::bigint, ${seed}) & 9223372036854775807) % ${n})`;
const pick = (xs: string[], col: string, seed: number) => `(${list(xs)})[1 + ${h(col, seed, xs.length)}]`;

/** The share of open cases: a few thousand at a million, about a thousand at 20,000. */
export const openCount = (cases: number) => Math.min(Math.round(cases * 0.05), 2000 + Math.round(cases / 2000));

export async function generateScaleOrg(db: Kysely<Database>, opts: ScaleOptions): Promise<ScaleOrg> {
  const t0 = performance.now();
  const N = opts.cases;
  const C = Math.max(100, Math.round(N / 5));
  const OPEN = openCount(N);
  const CLOSED = N - OPEN;
  const now = `'${(opts.now ?? new Date()).toISOString()}'::timestamptz`;
  const log = opts.log ?? (() => undefined);
  const used = (await sql<{ d: number; t: number; s: number; cu: number; c: number }>`SELECT
    (SELECT coalesce(max(id), 0) FROM departments)::int AS d, (SELECT coalesce(max(id), 0) FROM teams)::int AS t,
    (SELECT coalesce(max(id), 0) FROM staff)::int AS s, (SELECT coalesce(max(id), 0) FROM customers)::int AS cu,
    (SELECT coalesce(max(id), 0) FROM cases)::int AS c`.execute(db)).rows[0]!;
  // Ids are given explicitly from these bases (sequences are moved past them at the end).
  const D = used.d; const T = used.t; const S = used.s; const CU = used.cu; const K = used.c;
  const superuser = (await sql<{ su: boolean }>`SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`.execute(db)).rows[0]?.su === true;
  const bulk = (opts.bulk ?? true) && superuser;
  const run = async (what: string, text: string) => {
    const t = performance.now();
    await db.transaction().execute(async (tx) => {
      await sql`SET LOCAL synchronous_commit = off`.execute(tx);
      await sql`SET LOCAL maintenance_work_mem = '1GB'`.execute(tx);
      if (bulk) await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await sql.raw(text).execute(tx);
    });
    log(`  ${what}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  // The secondary indexes of the big tables (not those behind a constraint), built again at the end.
  const indexes = bulk ? (await sql<{ name: string; def: string }>`SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
    WHERE i.schemaname = 'public' AND i.tablename IN ('cases', 'case_entries', 'handovers', 'commitments', 'recoveries', 'survey_invitations', 'survey_responses', 'domain_events', 'customers', 'customer_emails')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)`.execute(db)).rows : [];
  if (indexes.length) await run(`drop ${indexes.length} indexes for the load`, indexes.map((i) => `DROP INDEX ${i.name}`).join(';\n'));

  await run('organisation', `INSERT INTO organisation (id, name, business_hours) VALUES (1, 'Scale Org',
    '{"mon":[["08:00","18:00"]],"tue":[["08:00","18:00"]],"wed":[["08:00","18:00"]],"thu":[["08:00","18:00"]],"fri":[["08:00","17:00"]]}') ON CONFLICT (id) DO NOTHING;
    INSERT INTO service_standards (case_type, channel, first_response_minutes, resolution_minutes) VALUES (NULL, NULL, 240, 1440) ON CONFLICT DO NOTHING`);
  await run('departments, teams, staff', `
    INSERT INTO departments (id, name, serves_external_customers) OVERRIDING SYSTEM VALUE
      SELECT ${D} + o, n || CASE WHEN ${D} > 0 THEN ' ${D}' ELSE '' END, ext
      FROM unnest(${list(DEPARTMENTS.map((d) => d[0]))}, ARRAY[${DEPARTMENTS.map((d) => d[1]).join(',')}]) WITH ORDINALITY AS x(n, ext, o);
    INSERT INTO teams (id, name, department_id) OVERRIDING SYSTEM VALUE
      SELECT ${T} + t, d.name || ' ' || (ARRAY['North','South','East','West','Central'])[1 + (t - 1) / ${DEPARTMENTS.length}], d.id
      FROM generate_series(1, ${TEAMS}) t JOIN departments d ON d.id = ${D} + 1 + (t - 1) % ${DEPARTMENTS.length};
    INSERT INTO staff (id, name, email, role, team_id, department_id) OVERRIDING SYSTEM VALUE
      SELECT ${S} + s + 1, n.name, lower(replace(n.name, ' ', '.')) || '.' || (${S} + s + 1) || '@scale.example',
        CASE WHEN s < ${TEAMS} THEN 'lead' WHEN s < ${CASE_WORKERS} THEN 'agent' WHEN s < 395 THEN 'manager' WHEN s < 399 THEN 'executive' ELSE 'admin' END,
        CASE WHEN s < ${CASE_WORKERS} THEN ${T} + 1 + s % ${TEAMS} END,
        CASE WHEN s < ${CASE_WORKERS} THEN t.department_id WHEN s < 395 THEN ${D} + 1 + s % ${DEPARTMENTS.length} END
      FROM generate_series(0, ${STAFF - 1}) s
      LEFT JOIN teams t ON t.id = ${T} + 1 + s % ${TEAMS}
      CROSS JOIN LATERAL (SELECT ${pick(FIRST, 's', 1)} || ' ' || ${pick(LAST, 's', 2)} AS name) n;
    UPDATE teams SET lead_id = ${S} + 1 + (id - ${T} - 1) WHERE id > ${T}`);
  await run('touchpoints, survey', `
    INSERT INTO touchpoints (key, name, department_id, moment_of_truth)
      SELECT k, n, ${D} + d, m FROM unnest(${list(TOUCHPOINTS.map((t) => t[0]))}, ${list(TOUCHPOINTS.map((t) => t[1]))},
        ARRAY[${TOUCHPOINTS.map((t) => t[2]).join(',')}], ARRAY[${TOUCHPOINTS.map((t) => t[3]).join(',')}]) AS x(k, n, d, m)
      ON CONFLICT (key) DO NOTHING;
    INSERT INTO surveys (name, trigger, questions, active) VALUES ('After your case', 'case_resolved',
      '[{"kind":"nps"},{"kind":"ces"},{"kind":"comment"}]', true)`);
  const survey = Number((await sql<{ id: number }>`SELECT max(id)::int AS id FROM surveys`.execute(db)).rows[0]!.id);

  await run(`${C.toLocaleString('en')} customers`, `
    INSERT INTO customers (id, name, title, given_name, family_name, first_name_ok, preferred_channel, segment, created_at, updated_at) OVERRIDING SYSTEM VALUE
      SELECT ${CU} + g, gn || ' ' || fn, (ARRAY['Ms','Mr','Dr',NULL])[1 + ${h('g', 3, 4)}], gn, fn, ${h('g', 4, 3)} = 0,
        (ARRAY['email','phone','chat','web'])[1 + ${h('g', 5, 4)}], (ARRAY['consumer','consumer','consumer','business','premium'])[1 + ${h('g', 6, 5)}],
        ${now} - interval '3 years' + ${h('g', 7, 900)} * interval '1 day', ${now} - interval '30 days'
      FROM generate_series(1, ${C}) g
      CROSS JOIN LATERAL (SELECT ${pick(FIRST, 'g', 8)} AS gn, ${pick(LAST, 'g', 9)} || CASE WHEN g > 575 THEN '-' || ${pick(LAST, 'g / 575', 10)} ELSE '' END AS fn) x;
    INSERT INTO customer_emails (email, customer_id) SELECT 'customer' || g || '@mail.example', ${CU} + g FROM generate_series(1, ${C}) g`);

  // Row g: the first CLOSED rows are the history (oldest first, over two years), then the open ones.
  // o: the owner (0..384, a lead or an agent) whose team is o % 60; a share came by a hand-over
  // from a teammate (o + 60 wraps to the same team).
  const owner = `${h('g', 11, CASE_WORKERS)}`;
  const handedOver = `(${h('g', 12, 100)} < 6)`;
  await run(`${N.toLocaleString('en')} cases (${OPEN.toLocaleString('en')} open)`, `
    INSERT INTO cases (id, subject, customer_id, channel, type, priority, status, owner_id, team_id, touchpoint, caused_by_department_id, requester_department_id,
        tags, opened_at, first_responded_at, resolved_at, closed_at, first_response_due_at, resolution_due_at, clock_paused_at, handover_count, updated_at) OVERRIDING SYSTEM VALUE
    SELECT ${K} + g, (${list(SUBJECTS.flat())})[1 + topic * 4 + ${h('g', 13, 4)}],
      ${CU} + 1 + ${h('g', 14, C)}, (ARRAY['email','email','email','phone','phone','chat','web','in_person'])[1 + ${h('g', 15, 8)}],
      (${list(TOPICS)})[1 + topic],
      CASE WHEN ${h('g', 16, 100)} < 3 THEN 'urgent' WHEN ${h('g', 16, 100)} < 18 THEN 'high' WHEN ${h('g', 16, 100)} < 83 THEN 'normal' ELSE 'low' END,
      st.status, CASE WHEN st.status <> 'new' THEN ${S} + 1 + o END, ${T} + 1 + o % ${TEAMS},
      (${list(TOUCHPOINTS.map((t) => t[0]))})[1 + ${h('g', 17, TOUCHPOINTS.length)}],
      CASE WHEN ${h('g', 18, 10)} = 0 THEN ${D} + 1 + ${h('g', 19, DEPARTMENTS.length)} END,
      CASE WHEN ${h('g', 20, 50)} = 0 THEN ${D} + ${DEPARTMENTS.length - 2} + ${h('g', 21, 3)} END,
      CASE WHEN ${h('g', 22, 3)} = 0 THEN ARRAY[${pick(TAGS, 'g', 23)}] WHEN ${h('g', 22, 3)} = 1 THEN ARRAY[${pick(TAGS, 'g', 23)}, ${pick(TAGS, 'g + 1', 23)}] ELSE '{}' END,
      t.opened_at, CASE WHEN st.status <> 'new' THEN t.opened_at + (10 + ${h('g', 24, 220)}) * interval '1 minute' END,
      CASE WHEN st.status IN ('resolved', 'closed') THEN t.opened_at + (1 + ${h('g', 25, 70)}) * interval '1 hour' END,
      CASE WHEN st.status = 'closed' THEN t.opened_at + (1 + ${h('g', 25, 70)}) * interval '1 hour' + interval '7 days' END,
      t.opened_at + interval '4 hours',
      CASE WHEN g <= ${CLOSED} THEN t.opened_at + interval '24 hours'
           ELSE ${now} + (${h('g', 26, 78)} - 6) * interval '1 hour' + ${h('g', 27, 60)} * interval '1 minute' END,
      CASE WHEN st.status = 'waiting_on_customer' THEN ${now} - ${h('g', 28, 48)} * interval '1 hour' END,
      CASE WHEN st.status <> 'new' AND ${handedOver} THEN 1 ELSE 0 END, ${now}
    FROM generate_series(1, ${N}) g
    CROSS JOIN LATERAL (SELECT ${owner} AS o, CASE WHEN ${h('g', 29, 100)} < 4 THEN 4 ELSE ${h('g', 30, 4)} END AS topic) x
    CROSS JOIN LATERAL (SELECT CASE
        WHEN g <= ${CLOSED} THEN CASE WHEN ${h('g', 31, 10)} < 3 THEN 'resolved' ELSE 'closed' END
        WHEN (g - ${CLOSED}) % 10 = 0 THEN 'new'
        WHEN (g - ${CLOSED}) % 10 IN (6, 7) THEN 'waiting_on_customer'
        WHEN (g - ${CLOSED}) % 10 = 8 THEN 'waiting_on_us' ELSE 'open' END AS status) st
    CROSS JOIN LATERAL (SELECT CASE
        WHEN g <= ${CLOSED} THEN ${now} - interval '3 days' - (1 - g::float8 / ${CLOSED}) * interval '730 days' + ${h('g', 32, 600)} * interval '1 minute'
        WHEN st.status = 'new' THEN ${now} - ${h('g', 33, 180)} * interval '1 minute'
        ELSE ${now} - ${h('g', 33, 14 * 24 * 60)} * interval '1 minute' END AS opened_at) t`);

  // The timeline: the customer's message, our reply, then a note or the resolution (3–4 entries).
  await run('timelines', `
    INSERT INTO case_entries (case_id, kind, author_id, body, data, created_at)
    SELECT c.id, e.kind, e.author, e.body, e.data, e.at
    FROM cases c
    CROSS JOIN LATERAL (SELECT array_position(${list(TOPICS)}, c.type) - 1 AS topic) x
    CROSS JOIN LATERAL (VALUES
      ('inbound_message', NULL::bigint, (${list(MESSAGES)})[1 + x.topic] || CASE WHEN c.id % 997 = 0 THEN ' It is the Kettlewood model.' ELSE '' END
        || ' Order ' || (4000000 + c.id * 7919 % 5000000) || ', customer number ' || c.customer_id || '.', '{}'::jsonb, c.opened_at),
      ('outbound_reply', c.owner_id, (${list(REPLIES)})[1 + x.topic], '{}'::jsonb, c.first_responded_at),
      ('internal_note', c.owner_id, 'Checked the account history; nothing unusual before this.', '{}'::jsonb, CASE WHEN c.id % 3 = 0 AND c.first_responded_at IS NOT NULL THEN c.first_responded_at + interval '5 minutes' END),
      ('status_changed', c.owner_id, NULL, jsonb_build_object('before', jsonb_build_object('status', 'open'), 'after', jsonb_build_object('status', c.status)), c.resolved_at)
    ) AS e(kind, author, body, data, at)
    WHERE c.id > ${K} AND e.at IS NOT NULL`);

  // Hand-overs: accepted ones explain every handover_count; a few offers are pending right now.
  await run('hand-overs', `
    INSERT INTO handovers (case_id, offered_by_id, from_owner_id, to_staff_id, note, status, offered_at, expires_at, answered_at, answered_by_id)
    SELECT c.id, prev.id, prev.id, c.owner_id, 'Going on leave tomorrow; the customer expects a call back.', 'accepted',
      c.first_responded_at, c.first_responded_at + interval '4 hours', c.first_responded_at + interval '40 minutes', c.owner_id
    FROM cases c JOIN staff prev ON prev.id = ${S} + 1 + ((c.owner_id - ${S} - 1 + ${TEAMS}) % ${CASE_WORKERS})
    WHERE c.id > ${K} AND c.handover_count = 1;
    INSERT INTO handovers (case_id, offered_by_id, from_owner_id, to_staff_id, note, status, offered_at, expires_at)
    SELECT c.id, c.owner_id, c.owner_id, ${S} + 1 + ((c.owner_id - ${S} - 1 + ${TEAMS}) % ${CASE_WORKERS}), 'Needs someone who knows the billing system.', 'pending',
      ${now} - interval '30 minutes', ${now} + interval '210 minutes'
    FROM cases c WHERE c.id > ${K} AND c.owner_id IS NOT NULL AND c.status NOT IN ('resolved', 'closed') AND c.id % 40 = 5`);

  // Promises on a tenth of the cases: kept or (one in seven) broken in the history, open and due
  // within three days on open cases. Broken ones and complaints open a recovery each.
  await run('promises and recoveries', `
    INSERT INTO commitments (case_id, customer_id, kind, text, owner_id, team_id, department_id, status, due_at, warn_at, created_by_id, created_at, kept_at, broken_at)
    SELECT c.id, c.customer_id, 'promise', (ARRAY['Call back with the carrier''s answer','Refund confirmed by mail','Visit by an engineer','Check the invoice and call back'])[1 + c.id % 4],
      c.owner_id, c.team_id, t.department_id, p.status, p.due, p.due - interval '1 hour', c.owner_id, c.first_responded_at,
      CASE WHEN p.status = 'kept' THEN p.due - interval '2 hours' END, CASE WHEN p.status = 'broken' THEN p.due END
    FROM cases c JOIN teams t ON t.id = c.team_id
    CROSS JOIN LATERAL (SELECT CASE WHEN c.status NOT IN ('resolved', 'closed') THEN 'open' WHEN c.id % 7 = 0 THEN 'broken' ELSE 'kept' END AS status,
      CASE WHEN c.status NOT IN ('resolved', 'closed') THEN ${now} + (1 + c.id % 72) * interval '1 hour' ELSE c.first_responded_at + interval '1 day' END AS due) p
    WHERE c.id > ${K} AND c.owner_id IS NOT NULL AND c.first_responded_at IS NOT NULL AND ${h('c.id', 34, 10)} = 0;
    INSERT INTO recoveries (case_id, customer_id, source, source_ref, owner_id, caused_by_department_id, status, opened_at, due_at, apology_at, fix_at, fix_what)
    SELECT c.id, c.customer_id, 'broken_commitment', 'commitment:' || m.id, m.owner_id, c.caused_by_department_id,
      CASE WHEN m.id % 4 = 0 THEN 'late' ELSE 'recovered' END, m.broken_at, m.broken_at + interval '24 hours', m.broken_at + interval '1 hour',
      m.broken_at + CASE WHEN m.id % 4 = 0 THEN interval '30 hours' ELSE interval '5 hours' END, 'Called the customer and kept the promise a day late'
    FROM commitments m JOIN cases c ON c.id = m.case_id WHERE c.id > ${K} AND m.kind = 'promise' AND m.status = 'broken';
    INSERT INTO recoveries (case_id, customer_id, source, source_ref, owner_id, caused_by_department_id, status, opened_at, due_at, apology_at, fix_at, fix_what)
    SELECT c.id, c.customer_id, 'complaint', 'case:' || c.id, c.owner_id, c.caused_by_department_id,
      CASE WHEN c.resolved_at IS NULL THEN 'open' WHEN c.id % 5 = 0 THEN 'late' ELSE 'recovered' END, c.opened_at, c.opened_at + interval '24 hours',
      c.first_responded_at, CASE WHEN c.resolved_at IS NOT NULL THEN c.opened_at + CASE WHEN c.id % 5 = 0 THEN interval '36 hours' ELSE interval '8 hours' END END,
      CASE WHEN c.resolved_at IS NOT NULL THEN 'Apologised and put it right' END
    FROM cases c WHERE c.id > ${K} AND c.type = 'complaint'`);

  // Surveys: an invitation after 40 % of resolutions, answered a bit more than half the time;
  // billing answers run lower, a quarter carry a comment, many naming their agent.
  await run('survey invitations and answers', `
    INSERT INTO survey_invitations (survey_id, customer_id, case_id, token_hash, channel, agent_id, team_id, department_id, case_type, case_channel, touchpoint, sent_at, expires_at, opened_at)
    SELECT ${survey}, c.customer_id, c.id, sha224(('scale-' || c.id)::bytea), 'email', c.owner_id, c.team_id, t.department_id, c.type, c.channel, c.touchpoint,
      c.resolved_at + interval '1 hour', c.resolved_at + interval '15 days', CASE WHEN ${h('c.id', 35, 100)} < 60 THEN c.resolved_at + interval '5 hours' END
    FROM cases c JOIN teams t ON t.id = c.team_id
    WHERE c.id > ${K} AND c.resolved_at IS NOT NULL AND c.owner_id IS NOT NULL AND ${h('c.id', 36, 100)} < 40 AND c.resolved_at < ${now} - interval '1 hour';
    INSERT INTO survey_responses (survey_id, invitation_id, customer_id, case_id, agent_id, team_id, department_id, case_type, case_channel, touchpoint,
        answers, nps, ces, comment, complaint, started_at, updated_at, completed_at)
    SELECT i.survey_id, i.id, i.customer_id, i.case_id, i.agent_id, i.team_id, i.department_id, i.case_type, i.case_channel, i.touchpoint,
      jsonb_build_object('nps', x.nps, 'ces', x.ces), x.nps, x.ces,
      CASE WHEN ${h('i.id', 37, 4)} = 0 THEN CASE
        WHEN x.nps >= 9 THEN 'Thank you ' || split_part(s.name, ' ', 1) || ', great and friendly help, really appreciated'
        WHEN x.nps >= 7 THEN 'It was fine, ' || s.name || ' answered in the end'
        ELSE (ARRAY['Terrible wait, nobody helped and the problem is still not solved','Too slow, I had to call three times','The invoice is still wrong'])[1 + i.id % 3] END END,
      x.nps <= 2, i.opened_at, i.opened_at + interval '2 minutes', i.opened_at + interval '2 minutes'
    FROM survey_invitations i JOIN staff s ON s.id = i.agent_id
    CROSS JOIN LATERAL (SELECT CASE WHEN i.touchpoint = 'bill' THEN greatest(0, ${h('i.id', 38, 11)} - 3) ELSE least(10, ${h('i.id', 38, 11)} + 2) END AS nps, 1 + ${h('i.id', 39, 7)} AS ces) x
    WHERE i.case_id > ${K} AND i.opened_at IS NOT NULL AND ${h('i.id', 40, 100)} < 90;
    INSERT INTO kudos (to_staff_id, from_customer_id, case_id, reason, created_at)
    SELECT c.owner_id, c.customer_id, c.id, 'Went out of their way to sort it out', c.resolved_at + interval '1 day'
    FROM cases c WHERE c.id > ${K} AND c.resolved_at IS NOT NULL AND c.owner_id IS NOT NULL AND c.resolved_at < ${now} - interval '1 day' AND ${h('c.id', 41, 200)} = 0`);

  // Domain events: each case's opening and resolution, as the features published them. The
  // features have already reacted to this history: in the same transaction, every subscriber's
  // cursor moves past it (an app running on this database never handles it).
  const names = FEATURES.flatMap((f) => f.subscribers ?? []).map((s) => s.name);
  await run('domain events', `
    INSERT INTO domain_events (type, occurred_at, actor_id, case_id, customer_id, payload)
    SELECT e.type, e.at, c.owner_id, c.id, c.customer_id,
      jsonb_build_object('case', jsonb_build_object('id', c.id, 'type', c.type, 'tags', c.tags, 'status', e.status, 'ownerId', c.owner_id, 'teamId', c.team_id, 'customerId', c.customer_id))
    FROM cases c CROSS JOIN LATERAL (VALUES ('case.opened', c.opened_at, CASE WHEN c.owner_id IS NULL THEN 'new' ELSE 'open' END), ('case.resolved', c.resolved_at, 'resolved')) AS e(type, at, status)
    WHERE c.id > ${K} AND e.at IS NOT NULL;
    INSERT INTO event_cursors (subscriber, last_tx_id, last_id)
      SELECT n, pg_current_xact_id(), (SELECT coalesce(max(id), 0) FROM domain_events) FROM unnest(${list(names)}) n
      ON CONFLICT (subscriber) DO UPDATE SET last_tx_id = EXCLUDED.last_tx_id, last_id = EXCLUDED.last_id`);
  await run('sequences', ['departments', 'teams', 'staff', 'customers', 'cases'].map((t) => `SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`).join(';\n'));
  for (const i of indexes) await run(`index ${i.name}`, i.def);
  await sql`ANALYZE`.execute(db);
  // The pages read the daily figures: computed from the rows just written, as the migration does for existing data.
  const tf = performance.now();
  await db.transaction().execute(async (tx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(tx);
    await rebuildSummaries({ db: tx });
  });
  await sql`ANALYZE touchpoint_days, department_days, staff_days, survey_days`.execute(db);
  log(`  daily figures: ${((performance.now() - tf) / 1000).toFixed(1)} s`);

  const agent = (await sql<{ id: number }>`SELECT owner_id::int AS id FROM cases WHERE id > ${K} AND status NOT IN ('resolved', 'closed') AND owner_id IS NOT NULL
    GROUP BY owner_id ORDER BY count(*) DESC, owner_id LIMIT 1`.execute(db)).rows[0]!.id;
  const team = (await sql<{ team: number; lead: number; exec: number }>`SELECT s.team_id::int AS team, t.lead_id::int AS lead,
    (SELECT min(id) FROM staff WHERE role = 'executive' AND id > ${S})::int AS exec FROM staff s JOIN teams t ON t.id = s.team_id WHERE s.id = ${agent}`.execute(db)).rows[0]!;
  // The customer with the longest history (cases are spread by a hash: some have a dozen or more).
  const busiest = (await sql<{ id: number }>`SELECT customer_id::int AS id FROM cases WHERE id > ${K} AND id <= ${K + Math.min(N, 200_000)}
    GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1`.execute(db)).rows[0]!;
  return {
    cases: N, customers: C, open: OPEN, staff: STAFF, teams: TEAMS, departments: DEPARTMENTS.length,
    agentId: agent, leadId: team.lead, executiveId: team.exec, teamId: team.team, customerId: busiest.id,
    seconds: (performance.now() - t0) / 1000,
  };
}
