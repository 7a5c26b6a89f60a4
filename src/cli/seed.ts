/**
 * The demo organisation: ~8 departments, ~40 staff, ~2,000 customers and ~10,000 cases over the
 * last 12 months, with hand-overs, promises kept and broken, standards met and missed.
 *
 * The organisation is set up through the real services. The year then comes in two parts:
 * - the history (all but the last LIVE_DAYS) is decided in memory and written set-based
 *   (./demo-history.ts): a dozen statements instead of ~280 round trips a case;
 * - the last LIVE_DAYS are a small discrete-event simulation: every case's events are generated
 *   first, then played in time order through the real services with a clock set to each event's
 *   time, and the real timers and subscribers swept as simulated time passes. So the open cases,
 *   live promises, pending hand-overs and timers a demo user touches come from the real rules.
 */
import { z } from 'zod';
import { connect } from '../core/db/connect';
import { loadConfig } from '../core/config';
import { openDatabase } from '../core/db/open';
import { ManualClock, DAY, HOUR, MINUTE } from '../core/clock';
import { DEFAULT_RUNTIME, type Actor, type Ctx } from '../core/context';
import { runSubscriber } from '../core/subscribers';
import { rebuildSummaries } from '../daily-figures';
import { FEATURES } from '../features';
import { hashPassword } from '../core/passwords';
import { updateSettings, setHoliday } from '../org';
import { createStandard } from '../standards';
import { openCase, addMessage, updateCase, takeCase } from '../cases';
import { offerHandover, acceptHandover, declineHandover, expireHandovers } from '../handovers';
import { makeCommitment, keepCommitment, renegotiateCommitment, breakOverdueCommitments, warnOfDueCommitments } from '../commitments';
import { parseFlags } from './args';
import { createSurvey, answerInvitation } from '../surveys/service';
import { setAuthorityLimit, createPolicyRule, recordDecision, approveDecision, declineDecision } from '../decisions';
import { recordStep, recordFollowUp } from '../recovery';
import { journeySteps, seedJourney } from './demo-loyalty';
import { writeHistory, plannedTimes, standardFor, businessTime, type Standard } from './demo-history';
import { beginDemoSeeding, demoState, finishDemoSeeding, recordDemoProgress } from '../demo';
import { businessCalendar } from '../org';
import { COMMENTS, DETAILS_MESSAGE, FIRST_MESSAGES, pickCaseType, CHANNEL_MIX, DEPARTMENTS, FAMILY, GIVEN, PROMISES, SEGMENTS, TOUCHPOINTS, randomSource, titleFor } from './demo-data';

export const DEMO_PASSWORD = 'demo-password';
/** The last days of the year, played through the real services; everything before is written set-based. */
export const LIVE_DAYS = 5;

const HELP = `kept seed --demo — fill the database with a demo organisation

Options:
  --demo              required: says you want demo data
  --cases <n>         how many cases (default 10000)
  --customers <n>     how many customers (default 2000)
  --force             seed even if the database already has cases`;

export async function seedCommand(args: string[]) {
  const flags = parseFlags(args, { demo: { type: 'boolean' }, cases: { type: 'string' }, customers: { type: 'string' }, force: { type: 'boolean' } },
    z.object({ demo: z.literal(true, { message: 'pass --demo to confirm you want demo data' }), cases: z.coerce.number().int().min(1).max(1_000_000).default(10_000), customers: z.coerce.number().int().min(1).max(1_000_000).default(2_000), force: z.boolean().optional() }),
    HELP);
  if (!flags) return;
  const database = await openDatabase(loadConfig());
  const { db } = connect(database.url, 4, { bulk: true });
  try {
    // As "start --demo" does: the seeding row holds the timers and writes of any server started
    // on this database meanwhile, and an interrupted seeding is known as such.
    const state = await demoState(db);
    if (state === 'interrupted') console.log('A demo seeding was interrupted here: start with --demo to begin it again on a clean slate.');
    else if (state === 'finished' && !flags.force) console.log('The demo is already loaded: demo data not added.');
    else if (state === 'not-empty' && !flags.force) console.log('The database already has cases: demo data not added.');
    else {
      if (state === 'empty') await beginDemoSeeding(db);
      await seedDemo({ db, clock: new ManualClock(new Date()), actor: null, config: DEFAULT_RUNTIME },
        { cases: flags.cases, customers: flags.customers, log: console.log, progress: (p) => recordDemoProgress(db, p) });
      if (state === 'empty') await finishDemoSeeding(db);
    }
  } finally {
    await db.destroy();
    await database.stop();
  }
}

interface SeedOptions {
  cases?: number; customers?: number; onlyIfEmpty?: boolean; log?: (line: string) => void;
  /** Told as the seeding goes: the phase, and during the year how many of its events are played. */
  progress?: (p: { phase: 'organisation' | 'customers' | 'year'; done: number; total: number }) => Promise<void>;
  /** Asked between events: true stops the seeding (it throws), e.g. when the server is stopping. */
  stopped?: () => boolean;
}
type Step = { at: number; run: (ctx: Ctx) => Promise<void> };

export async function seedDemo(base: Ctx, opts: SeedOptions = {}) {
  const log = opts.log ?? (() => {});
  const nCases = opts.cases ?? 10_000;
  const nCustomers = opts.customers ?? 2_000;
  if (opts.onlyIfEmpty && (await base.db.selectFrom('cases').select('id').limit(1).executeTakeFirst())) {
    log('The database already has cases: demo data not added.');
    return;
  }
  const started = Date.now();
  const progress = opts.progress ?? (async () => {});
  await progress({ phase: 'organisation', done: 0, total: 0 });
  const rnd = randomSource();
  const end = base.clock.now().getTime();
  const start = end - 365 * DAY;
  const clock = new ManualClock(new Date(start - DAY));
  const system: Ctx = { ...base, clock, actor: null };

  await updateSettings(system, { name: 'Northwind Living', timeZone: 'Europe/London', handoverExpiryMinutes: 240, commitmentWarningMinutes: 120,
    businessHours: { mon: [['09:00', '17:30']], tue: [['09:00', '17:30']], wed: [['09:00', '17:30']], thu: [['09:00', '17:30']], fri: [['09:00', '17:30']], sat: [['10:00', '14:00']] } });
  for (const [day, name] of [['12-25', 'Christmas Day'], ['12-26', 'Boxing Day'], ['01-01', "New Year's Day"], ['05-04', 'Early May bank holiday'], ['08-31', 'Summer bank holiday']]) {
    for (const year of [new Date(start).getUTCFullYear(), new Date(end).getUTCFullYear()]) await setHoliday(system, `${year}-${day}`, name!);
  }
  for (const s of [
    { firstResponseMinutes: 480, resolutionMinutes: 2400 },
    { caseType: 'complaint', firstResponseMinutes: 240, resolutionMinutes: 960 },
    { channel: 'chat', firstResponseMinutes: 30, resolutionMinutes: 480 },
    { channel: 'phone', firstResponseMinutes: 60, resolutionMinutes: 960 },
  ] as const) await createStandard(system, s);

  await createSurvey(system, { name: 'After a case', trigger: 'case_resolved', questions: [{ kind: 'nps' }, { kind: 'ces' }, { kind: 'expectation' }] });

  // People: departments, teams with leads, and staff across every department.
  const departments: { id: number; name: string }[] = [];
  for (const name of DEPARTMENTS) {
    departments.push(await base.db.insertInto('departments').values({ name, serves_external_customers: !['IT', 'Warehouse'].includes(name) }).returning(['id', 'name']).executeTakeFirstOrThrow());
  }
  const teamDefs = [['Front Line', 0], ['Escalations', 0], ['Deliveries', 1], ['Accounts', 2], ['Sales Desk', 3], ['Product Support', 4], ['Dispatch', 5], ['Service Desk', 6], ['Quality Control', 7]] as const;
  const teams: { id: number; department_id: number | null }[] = [];
  for (const [name, d] of teamDefs) teams.push(await base.db.insertInto('teams').values({ name, department_id: departments[d]!.id }).returning(['id', 'department_id']).executeTakeFirstOrThrow());
  const hash = await hashPassword(DEMO_PASSWORD);
  const people: Actor[] = [];
  const addPerson = async (name: string, role: Actor['role'], teamIdx: number | null, deptIdx: number) => {
    const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@northwind.example`;
    const row = await base.db.insertInto('staff').values({ name, email, role, password_hash: hash, team_id: teamIdx === null ? null : teams[teamIdx]!.id, department_id: departments[deptIdx]!.id })
      .returning(['id']).executeTakeFirst().catch(() => null); // a duplicate demo name: skip that person
    if (!row) return null;
    const actor: Actor = { id: row.id, name, role, teamId: teamIdx === null ? null : teams[teamIdx]!.id, departmentId: departments[deptIdx]!.id };
    people.push(actor);
    return actor;
  };
  await addPerson('Demo Admin', 'admin', null, 6);
  await addPerson('Eleanor Vance', 'executive', null, 0);
  await addPerson('Marcus Bell', 'manager', null, 0);
  await addPerson('Priya Raman', 'manager', null, 1);
  for (let t = 0; t < teams.length; t++) {
    const lead = await addPerson(`${GIVEN[t]} ${FAMILY[t]}`, 'lead', t, teamDefs[t]![1]);
    if (lead) await base.db.updateTable('teams').set({ lead_id: lead.id }).where('id', '=', teams[t]!.id).execute();
  }
  for (let i = 0; people.length < 40 && i < 200; i++) {
    const t = i < 14 ? i % 2 : 2 + (i % (teams.length - 2));
    await addPerson(`${GIVEN[(i * 7 + 3) % GIVEN.length]} ${FAMILY[(i * 5 + 11) % FAMILY.length]}`, 'agent', t, teamDefs[t]![1]);
  }
  const agents = people.filter((p) => p.role === 'agent' || p.role === 'lead');
  for (const [kind, role, amount] of [['refund', 'agent', 50], ['credit', 'agent', 30], ['refund', 'lead', 250], ['credit', 'lead', 150], ['refund', 'manager', 1000]] as const) {
    await setAuthorityLimit(system, { kind, role, amount, currency: 'EUR' });
  }
  await createPolicyRule(system, { kind: 'credit', description: 'Goodwill credit for customers in good standing', maxAmount: 40, currency: 'EUR', noClaimDays: 90 });
  log(`Demo: ${departments.length} departments, ${teams.length} teams, ${people.length} staff (password "${DEMO_PASSWORD}")`);

  // Customers, inserted in batches.
  await progress({ phase: 'customers', done: 0, total: 0 });
  const customerIds: number[] = [];
  const customers: { id: number; language: string }[] = [];
  for (let i = 0; i < nCustomers; i += 500) {
    const batch = Array.from({ length: Math.min(500, nCustomers - i) }, (_, j) => {
      const given = rnd.pick(GIVEN);
      const family = rnd.pick(FAMILY);
      return { name: `${given} ${family}`, title: titleFor(given, rnd.next()), given_name: given, family_name: family, first_name_ok: rnd.chance(0.3), preferred_channel: rnd.pick(CHANNEL_MIX), language: rnd.chance(0.85) ? 'en' : rnd.pick(['fr', 'de', 'pl', 'es']), segment: rnd.pick(SEGMENTS), created_at: new Date(start - rnd.int(0, 700) * DAY), updated_at: new Date(start), _n: i + j };
    });
    const rows = await base.db.insertInto('customers').values(batch.map(({ _n, ...c }) => c)).returning('id').execute();
    await base.db.insertInto('customer_emails').values(rows.map((r, j) => ({ customer_id: r.id, email: `${batch[j]!.given_name.toLowerCase()}.${batch[j]!.family_name.toLowerCase()}.${batch[j]!._n}@mail.example` }))).execute();
    customerIds.push(...rows.map((r) => r.id));
    customers.push(...rows.map((r, j) => ({ id: r.id, language: batch[j]!.language })));
  }
  const timing = (what: string) => { if (process.env.KEPT_DEMO_TIMINGS) log(`  ${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`); };
  log(`Demo: ${customerIds.length} customers`);
  timing('customers');
  await seedJourney(system, { departments, teams, people, customerIds });
  timing('journey');

  // The history, set-based: the setup's own events are handled first, then the history's
  // events are written with every subscriber's cursor already past them.
  const drained: Drained = new Map();
  await sweep(system, drained);
  timing('setup swept');
  await progress({ phase: 'year', done: 0, total: 0 });
  const cutoff = Math.max(start, end - LIVE_DAYS * DAY);
  const liveShare = (end - cutoff) / (end - start);
  const liveCases = Math.round(nCases * liveShare);
  const internalRequests = Math.max(4, Math.round(nCases * 0.03));
  await writeHistory(system, { departments, teams, people, customers }, { start, cutoff, cases: nCases - liveCases, internalRequests: Math.round(internalRequests * (1 - liveShare)), rnd, log });
  // Every subscriber's cursor is past the history now: nothing older is theirs to look at.
  const historyEnd = Number((await base.db.selectFrom('domain_events').select((e) => e.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
  for (const s of FEATURES.flatMap((f) => f.subscribers ?? [])) drained.set(s.name, historyEnd);
  const cal = businessTime(await businessCalendar(system), cutoff, end + 30 * DAY);
  const standards: Standard[] = (await base.db.selectFrom('service_standards').select(['case_type', 'channel', 'first_response_minutes', 'resolution_minutes']).execute())
    .map((s) => ({ caseType: s.case_type, channel: s.channel, firstResponseMinutes: s.first_response_minutes, resolutionMinutes: s.resolution_minutes }));

  // The last days: every case's life, as timed steps played through the real services.
  const steps: Step[] = [];
  const as = (actor: Actor, fn: (ctx: Ctx) => Promise<unknown>) => async (ctx: Ctx) => { await fn({ ...ctx, actor }); };
  for (let i = 0; i < liveCases; i++) {
    const t0 = cutoff + Math.floor(rnd.next() * (end - cutoff - HOUR));
    const kind = pickCaseType(rnd);
    const owner = rnd.pick(agents);
    const channel = rnd.pick(CHANNEL_MIX);
    const ref: { id?: number; owner: Actor } = { owner };
    const unowned = rnd.chance(0.25);
    // A step due after the end of the year has not happened yet: the offer still waits for its
    // answer, the case for its reply or its owner — the work a demo user finds in flight.
    const at = (ms: number) => t0 + ms;
    steps.push({ at: t0, run: as(owner, async (ctx) => {
      const c = await openCase(ctx, { subject: rnd.pick(kind.subjects), customerId: rnd.pick(customerIds), channel, type: kind.type,
        priority: rnd.pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent'] as const), ownerId: unowned ? null : owner.id, teamId: owner.teamId,
        touchpoint: rnd.pick(TOUCHPOINTS), causedByDepartmentId: rnd.chance(0.4) ? rnd.pick(departments).id : null,
        tags: rnd.chance(0.3) ? [rnd.pick(['vip', 'repeat-contact', 'social-media', 'fragile', 'warranty'])] : [],
        message: rnd.pick(FIRST_MESSAGES[kind.type]!) });
      ref.id = c.id;
    }) });
    // Answered and resolved as the standard asks, most of the time (see plannedTimes).
    const plan = plannedTimes(cal, standardFor(standards, kind.type, channel), t0, rnd);
    const replyAfter = Math.max(plan.reply - t0, 2 * MINUTE);
    if (unowned) steps.push({ at: at(Math.floor(replyAfter / 2)), run: as(owner, (ctx) => takeCase(ctx, ref.id!)) });
    steps.push({ at: at(replyAfter), run: as(owner, (ctx) => addMessage(ctx, ref.id!, 'outbound_reply', { body: 'Thank you for getting in touch; here is what happens next.' })) });
    let t = replyAfter;
    if (rnd.chance(0.12)) {
      t += rnd.int(10, 240) * MINUTE;
      const decision: { id?: number; approverId?: number | null } = {};
      const amount = rnd.pick([15, 25, 40, 60, 90, 150]);
      const kindOf = rnd.pick(['refund', 'credit'] as const);
      steps.push({ at: at(t), run: async (ctx) => {
        const d = await recordDecision({ ...ctx, actor: ref.owner }, ref.id!, { kind: kindOf, amount, currency: 'EUR', reason: rnd.pick(['Late delivery', 'Damaged on arrival', 'Charged twice', 'Goodwill after a long wait']) });
        decision.id = d.id;
        decision.approverId = d.approverId;
      } });
      const answerAfter = rnd.int(15, 600) * MINUTE;
      steps.push({ at: at(t + answerAfter), run: async (ctx) => {
        if (!decision.approverId) return;
        const approver = people.find((p) => p.id === decision.approverId);
        if (!approver) return;
        if (rnd.chance(0.8)) await approveDecision({ ...ctx, actor: approver }, decision.id!);
        else await declineDecision({ ...ctx, actor: approver }, decision.id!, 'Offer a replacement instead');
      } });
    }
    if (rnd.chance(0.2)) {
      const passes = rnd.chance(0.08) ? 3 : 1;
      for (let p = 0; p < passes; p++) {
        const to = rnd.pick(agents.filter((a) => a.id !== ref.owner.id));
        const from = ref.owner;
        t += rnd.int(10, 600) * MINUTE;
        const offer: { id?: number } = {};
        steps.push({ at: at(t), run: as(from, async (ctx) => { offer.id = (await offerHandover(ctx, ref.id!, { toStaffId: to.id, note: 'Context: customer already explained the issue; see timeline. Needs someone from your area.' })).id; }) });
        const fate = rnd.next();
        t += rnd.int(2, 180) * MINUTE;
        if (fate < 0.85) {
          steps.push({ at: at(t), run: as(to, (ctx) => acceptHandover(ctx, offer.id!)) });
          ref.owner = to;
        } else if (fate < 0.95) {
          steps.push({ at: at(t), run: as(to, (ctx) => declineHandover(ctx, offer.id!, 'Not my area; try Billing')) });
        } else {
          t += 5 * HOUR; // let it expire
        }
      }
    }
    if (rnd.chance(0.35)) {
      const who = () => ref.owner;
      t += rnd.int(5, 60) * MINUTE;
      const promise: { id?: number } = {};
      const dueIn = rnd.int(4, 36) * HOUR;
      const madeAt = t;
      steps.push({ at: at(madeAt), run: async (ctx) => { promise.id = (await makeCommitment({ ...ctx, actor: who() }, { caseId: ref.id!, customerId: (await ctx.db.selectFrom('cases').select('customer_id').where('id', '=', ref.id!).executeTakeFirstOrThrow()).customer_id, text: rnd.pick(PROMISES), dueAt: new Date(at(madeAt) + dueIn) })).id; } });
      const fate = rnd.next();
      if (fate < 0.08) {
        steps.push({ at: at(madeAt + dueIn / 2), run: async (ctx) => { await renegotiateCommitment({ ...ctx, actor: who() }, promise.id!, { newDueAt: new Date(at(madeAt) + dueIn * 2), customerToldHow: 'phone call; customer agreed' }); } });
        steps.push({ at: at(madeAt + dueIn * 1.5), run: async (ctx) => { await keepCommitment({ ...ctx, actor: who() }, promise.id!); } });
      } else if (fate < 0.86) {
        steps.push({ at: at(madeAt + Math.floor(dueIn * rnd.next() * 0.9)), run: async (ctx) => { await keepCommitment({ ...ctx, actor: who() }, promise.id!); } });
      } // else: left to break at its due time
      t = Math.max(t, madeAt + dueIn);
    }
    if (rnd.chance(0.3)) {
      t += rnd.int(10, 120) * MINUTE;
      steps.push({ at: at(t), run: async (ctx) => { await updateCase({ ...ctx, actor: ref.owner }, ref.id!, { status: 'waiting_on_customer' }); } });
      t += rnd.int(1, 72) * HOUR;
      steps.push({ at: at(t), run: async (ctx) => { await addMessage({ ...ctx, actor: ref.owner }, ref.id!, 'inbound_message', { body: DETAILS_MESSAGE }); } });
    }
    t = Math.max(t + rnd.int(10, 120) * MINUTE, plan.resolve - t0);
    if (t0 + t < end - 12 * HOUR || rnd.chance(0.2)) {
      steps.push({ at: at(t), run: async (ctx) => { await updateCase({ ...ctx, actor: ref.owner }, ref.id!, { status: 'resolved' }); } });
      if (rnd.chance(0.45)) steps.push({ at: at(t + rnd.int(1, 72) * HOUR), run: (ctx) => answerAsCustomer(ctx, ref.id!, rnd) });
      if (rnd.chance(0.6)) steps.push({ at: at(t + 3 * DAY), run: async (ctx) => { await updateCase({ ...ctx, actor: ref.owner }, ref.id!, { status: 'closed' }); } });
    }
  }
  const kudos: { to_staff_id: number; from_staff_id: number; reason: string; created_at: Date }[] = [];
  steps.push(...journeySteps({ departments, teams, people, customerIds }, start, end, nCases, 'Europe/London', cutoff,
    (k) => kudos.push({ to_staff_id: k.to.id, from_staff_id: k.from.id, reason: k.reason, created_at: new Date(k.at) })));
  if (kudos.length) await base.db.insertInto('kudos').values(kudos).execute();
  // The history's rows (and these kudos) bypass the subscribers that keep the daily figures behind
  // the map, scorecards, stars and review: computed here from the rows, once; the played days keep them as usual.
  await rebuildSummaries(base);
  steps.splice(0, steps.length, ...steps.filter((s) => s.at < end));
  steps.sort((a, b) => a.at - b.at);
  timing('history');
  let sweeps = 0;
  await progress({ phase: 'year', done: 0, total: steps.length });

  // Play the year, sweeping the real timers as simulated time passes.
  let lastSweep = 0;
  let failed = 0;
  for (const [n, step] of steps.entries()) {
    if (opts.stopped?.()) throw new Error('Demo seeding stopped before the year was complete');
    clock.set(new Date(step.at));
    // Before the played days only the journey's steps run (kudos, self-assessments): no timers to sweep.
    if (step.at >= cutoff && step.at - lastSweep > 2 * HOUR) {
      await sweep(system, drained);
      sweeps += 1;
      await workOnRecoveries(system, people, rnd, cutoff);
      lastSweep = step.at;
    }
    try {
      await step.run(system);
    } catch {
      failed += 1; // a step made moot by an earlier one (e.g. accepting an offer that expired): as in life
    }
    if (n % 10_000 === 0 && n) log(`Demo: ${n} of ${steps.length} events…`);
    if (n % 250 === 0 && n) await progress({ phase: 'year', done: n, total: steps.length });
  }
  timing(`played (${sweeps} sweeps)`);
  clock.set(new Date(end));
  await sweep(system, drained);
  log(`Demo: ${nCases} cases, ${steps.length} events (${failed} made moot) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Owners work their recoveries as the simulated hours pass: most are fixed within the day, some late. */
async function workOnRecoveries(ctx: Ctx, people: Actor[], rnd: ReturnType<typeof randomSource>, since: number) {
  const now = ctx.clock.now();
  if (now.getTime() < since) return; // the history's recoveries were worked when it was written
  const open = await ctx.db.selectFrom('recoveries').select(['id', 'owner_id', 'opened_at']).where('status', '=', 'open').where('opened_at', '<', new Date(now.getTime() - HOUR)).execute();
  for (const r of open) {
    const owner = people.find((p) => p.id === r.owner_id);
    if (!owner || !rnd.chance(0.25)) continue;
    const as = { ...ctx, actor: owner };
    await recordStep(as, r.id, { step: 'apology', how: rnd.pick(['Phoned the customer and apologised', 'Personal apology by email']) }).catch(() => {});
    await recordStep(as, r.id, { step: 'fix', what: rnd.pick(['Rebooked the delivery', 'Refunded the double charge', 'Sent a replacement', 'Engineer visit booked']) });
    if (rnd.chance(0.5)) await recordStep(as, r.id, { step: 'surprise', what: rnd.pick(['Flowers with the replacement', 'Free delivery on the next order', 'Handwritten card']) });
  }
  const followUps = await ctx.db.selectFrom('recoveries').select(['id']).where('follow_up_at', 'is', null).where('follow_up_due_at', '<=', now)
    .where('opened_at', '>=', new Date(since - 7 * DAY)).execute();
  for (const r of followUps) if (rnd.chance(0.6)) await recordFollowUp(ctx, r.id, { loyaltyAfter: rnd.chance(0.65) ? rnd.int(7, 10) : rnd.int(2, 6) });
}

/** The customer answers the survey their resolved case brought: less kindly if we broke a promise. */
async function answerAsCustomer(ctx: Ctx, caseId: number, rnd: ReturnType<typeof randomSource>) {
  const inv = await ctx.db.selectFrom('survey_invitations').select('id').where('case_id', '=', caseId).executeTakeFirst();
  if (!inv) return; // cooldown or an open recovery: this customer was not asked
  const broken = await ctx.db.selectFrom('commitments').select('id').where('case_id', '=', caseId).where('status', '=', 'broken').executeTakeFirst();
  // Deliveries are the demo's weak moment of truth.
  const delivery = (await ctx.db.selectFrom('cases').select('touchpoint').where('id', '=', caseId).executeTakeFirst())?.touchpoint === 'deliver';
  const roll = rnd.next() - (delivery ? 0.2 : 0);
  const mood = roll < (broken ? 0.45 : 0.12) ? 'detractor' : roll < (broken ? 0.75 : 0.4) ? 'passive' : 'promoter';
  const nps = mood === 'detractor' ? rnd.int(0, 6) : mood === 'passive' ? rnd.int(7, 8) : rnd.int(9, 10);
  const answers: Record<string, unknown> = {
    nps,
    ces: mood === 'detractor' ? rnd.int(1, 4) : rnd.int(4, 7),
    expectation: mood === 'detractor' ? 'below' : mood === 'promoter' && rnd.chance(0.4) ? 'above' : 'met',
  };
  if (rnd.chance(0.6)) answers.comment = rnd.pick(COMMENTS[mood]);
  await answerInvitation(ctx, inv.id, answers, true);
}

/** The timers that matter to the story, and the features' reactions to what happened (recoveries, surveys). */
async function sweep(ctx: Ctx, drained: Drained) {
  const subscribers = FEATURES.flatMap((f) => f.subscribers ?? []);
  // A subscriber waiting to retry a failed event is run whatever was appended since.
  const retrying = !!(await ctx.db.selectFrom('event_cursors').select('subscriber').where('retry_at', 'is not', null).limit(1).executeTakeFirst());
  for (;;) {
    let fired = (await expireHandovers(ctx)) + (await warnOfDueCommitments(ctx)) + (await breakOverdueCommitments(ctx));
    // Asking each of a dozen subscribers for events of types nobody appended was ~90 % of the
    // seeding's queries. The seeder is the only writer while it plays (the server holds its loops
    // and refuses writes), so a subscriber that came up empty has nothing to do until an event
    // of one of its types is appended.
    const floor = Math.min(...subscribers.map((s) => drained.get(s.name) ?? 0));
    const newest = await newestEventByType(ctx, floor);
    const newestOfAll = Math.max(floor, ...newest.values());
    for (const s of subscribers) {
      const since = drained.get(s.name) ?? 0;
      const latest = s.types === 'all' ? newestOfAll : Math.max(0, ...s.types.map((t) => newest.get(t) ?? 0));
      if (!retrying && latest <= since) continue;
      const handled = await runSubscriber(ctx, s);
      // Its cursor reached the newest event of its types: no second, empty run to confirm it.
      if (!handled || await cursorAt(ctx, s.name) >= latest) drained.set(s.name, newestOfAll);
      fired += handled;
    }
    if (!fired) return;
  }
}

/** Per subscriber, the newest event id it was seen to have nothing beyond. */
type Drained = Map<string, number>;

async function cursorAt(ctx: Ctx, subscriber: string): Promise<number> {
  const row = await ctx.db.selectFrom('event_cursors').select('last_id').where('subscriber', '=', subscriber).executeTakeFirst();
  return Number(row?.last_id ?? 0);
}

async function newestEventByType(ctx: Ctx, after: number): Promise<Map<string, number>> {
  const rows = await ctx.db.selectFrom('domain_events').select((e) => ['type', e.fn.max('id').as('newest')]).where('id', '>', after).groupBy('type').execute();
  return new Map(rows.map((r) => [r.type, Number(r.newest)]));
}
