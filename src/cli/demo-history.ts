/**
 * The older part of the demo year, written set-based: every case's life is decided here in
 * memory (the same story the real services would tell: standards met or missed, hand-overs only
 * by accept, promises kept or broken with their recovery, surveys after resolution with the
 * cooldown, unhappy answers opening a recovery case), then each table is filled with one
 * INSERT … SELECT from a JSON array. Playing the same months through the services took ~280
 * round trips a case; this is a dozen statements for the whole history.
 *
 * The features have already reacted to this history (its recoveries, survey invitations and
 * listening texts are written with it), so in the same transaction as its domain events every
 * subscriber's cursor moves past them: the webhooks never fire for the historic year, and the
 * subscribers handle only what the last weeks, played through the real services, publish.
 */
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { createHash } from 'node:crypto';
import { DAY, HOUR, MINUTE } from '../core/clock';
import type { Actor, Ctx } from '../core/context';
import { FEATURES } from '../features';
import { businessCalendar, getSettings } from '../org';
import { addBusinessMinutes, openIntervals, type BusinessCalendar } from '../standards';
import { read } from '../listening/text';
import { CHANNEL_MIX, COMMENTS, pickCaseType, COMMENTS_BY_LANGUAGE, DETAILS_MESSAGE, FIRST_MESSAGES, FIRST_MESSAGE_BY_LANGUAGE, PROMISES, TOUCHPOINTS, type randomSource } from './demo-data';

type Rnd = ReturnType<typeof randomSource>;
type Row = Record<string, unknown>;
export interface HistoryOrg {
  departments: { id: number; name: string }[];
  teams: { id: number; department_id: number | null; lead_id?: number | null }[];
  people: Actor[];
  customers: { id: number; language: string }[];
}
export interface Standard { caseType: string | null; channel: string | null; firstResponseMinutes: number; resolutionMinutes: number }

/** The standard a case is held to: its type's, else its channel's, else the default (as the product picks). */
export function standardFor(standards: Standard[], type: string, channel: string): Standard {
  return standards.find((s) => s.caseType === type && !s.channel) ?? standards.find((s) => s.channel === channel && !s.caseType)
    ?? standards.find((s) => !s.caseType && !s.channel) ?? { caseType: null, channel: null, firstResponseMinutes: 480, resolutionMinutes: 2400 };
}

/**
 * When a case is answered and resolved: most well inside the standard, a few percent late (in
 * business time, so mostly during opening hours), so the
 * demo reads like a help desk that mostly keeps its word (and the misses are the story).
 */
export function plannedTimes(cal: BusinessTime, std: Standard, opened: number, rnd: Rnd) {
  const firstDue = cal.add(opened, std.firstResponseMinutes);
  const resolutionDue = cal.add(opened, std.resolutionMinutes);
  // In business time: people answer and resolve during opening hours.
  const reply = rnd.chance(0.02) ? cal.add(firstDue, rnd.int(20, 300))
    : cal.add(opened, Math.max(2, Math.floor(std.firstResponseMinutes * (0.05 + 0.8 * rnd.next()))));
  const planned = rnd.chance(0.025) ? cal.add(resolutionDue, rnd.int(60, 960))
    : cal.add(opened, Math.floor(std.resolutionMinutes * (0.15 + 0.75 * rnd.next())));
  const resolve = Math.max(planned, reply + rnd.int(10, 60) * MINUTE);
  return { firstDue, resolutionDue, reply, resolve };
}

/** The demo's texts repeat: each is read (language, sentiment, complaint) once. */
const readings = new Map<string, ReturnType<typeof read>>();
const readOnce = (text: string) => {
  let r = readings.get(text);
  if (!r) readings.set(text, (r = read(text)));
  return r;
};

export interface BusinessTime { add(from: number, minutes: number): number }

/**
 * The organisation's business time over the demo's span, as one sorted list of open intervals
 * (epoch ms), so a due time is a binary search and a short walk instead of a walk through luxon
 * days: ~20,000 due times per seeding. Same answers as standards' addBusinessMinutes, which is
 * asked directly outside the span.
 */
export function businessTime(cal: BusinessCalendar, from: number, to: number): BusinessTime {
  // The same intervals standards' business clock opens day by day (hours in the zone, holidays skipped).
  const open: [number, number][] = [];
  for (let day = DateTime.fromMillis(from - 2 * DAY, { zone: cal.timeZone }).startOf('day'); day.toMillis() < to; day = day.plus({ days: 1 })) {
    for (const [a, b] of openIntervals(cal, day)) open.push([a, b]);
  }
  const end = open.at(-1)?.[1] ?? from;
  return {
    add(at: number, minutes: number) {
      if (!open.length || at < open[0]![0] - DAY || at > end - 30 * DAY) return addBusinessMinutes(cal, new Date(at), minutes).getTime();
      let lo = 0; let hi = open.length - 1;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (open[mid]![1] <= at) lo = mid + 1; else hi = mid; }
      let remaining = minutes * MINUTE;
      for (let i = lo; i < open.length; i++) {
        const [a, b] = open[i]!;
        const s = Math.max(at, a);
        if (remaining <= b - s) return s + remaining;
        remaining -= b - s;
      }
      return addBusinessMinutes(cal, new Date(at), minutes).getTime();
    },
  };
}


export async function writeHistory(ctx: Ctx, org: HistoryOrg, opts: { start: number; cutoff: number; cases: number; internalRequests: number; rnd: Rnd; log: (l: string) => void }) {
  const t0 = Date.now();
  const { rnd, start, cutoff } = opts;
  const db = ctx.db;
  const cal = businessTime(await businessCalendar(ctx), start, cutoff + 30 * DAY);
  const settings = await getSettings(ctx);
  const standards: Standard[] = (await db.selectFrom('service_standards').select(['case_type', 'channel', 'first_response_minutes', 'resolution_minutes']).execute())
    .map((s) => ({ caseType: s.case_type, channel: s.channel, firstResponseMinutes: s.first_response_minutes, resolutionMinutes: s.resolution_minutes }));
  const survey = await db.selectFrom('surveys').select(['id', 'expires_after_days']).where('trigger', '=', 'case_resolved').orderBy('id').executeTakeFirstOrThrow();
  const kinds = await db.selectFrom('decision_kinds').select(['id', 'key']).execute();
  const limits = await db.selectFrom('authority_limits').select(['kind_id', 'role', 'amount']).execute();
  const limitOf = (kindId: number, role: string) => Number(limits.find((l) => l.kind_id === kindId && l.role === role)?.amount ?? 0);
  const base = (await sql<Record<string, number>>`SELECT
    (SELECT coalesce(max(id), 0) FROM cases)::int AS cases, (SELECT coalesce(max(id), 0) FROM case_entries)::int AS case_entries,
    (SELECT coalesce(max(id), 0) FROM commitments)::int AS commitments, (SELECT coalesce(max(id), 0) FROM handovers)::int AS handovers,
    (SELECT coalesce(max(id), 0) FROM recoveries)::int AS recoveries, (SELECT coalesce(max(id), 0) FROM decisions)::int AS decisions,
    (SELECT coalesce(max(id), 0) FROM survey_invitations)::int AS survey_invitations, (SELECT coalesce(max(id), 0) FROM survey_responses)::int AS survey_responses,
    (SELECT coalesce(max(id), 0) FROM commitment_renegotiations)::int AS commitment_renegotiations,
    (SELECT coalesce(max(id), 0) FROM listening_texts)::int AS listening_texts, (SELECT coalesce(max(id), 0) FROM domain_events)::int AS domain_events`.execute(db)).rows[0]!;
  const rows: Record<string, Row[]> = Object.fromEntries(Object.keys(base).map((t) => [t, []]));
  const add = (table: string, row: Row) => {
    const id = base[table]! + rows[table]!.length + 1;
    rows[table]!.push({ id, ...row });
    return id;
  };
  const at = (ms: number) => new Date(ms).toISOString();

  const agents = org.people.filter((p) => p.role === 'agent' || p.role === 'lead');
  const managers = org.people.filter((p) => p.role === 'manager');
  const leadOf = (teamId: number | null) => org.people.find((p) => p.role === 'lead' && p.teamId === teamId) ?? null;
  const internalTeams = org.teams.filter((t) => ['IT', 'Warehouse'].includes(org.departments.find((d) => d.id === t.department_id)?.name ?? ''));
  // Per customer: when they were last asked (the survey cooldown) and until when a recovery of theirs is open.
  const askedAt = new Map<number, number>();
  const recoveryOpenUntil = new Map<number, number>();
  const followUpDays = settings.recoveryFollowUpDays;

  const entry = (caseId: number, kind: string, when: number, authorId: number | null, body: string | null = null, data: Row = {}) =>
    add('case_entries', { case_id: caseId, kind, author_id: authorId, body, data, created_at: at(when) });
  const event = (type: string, when: number, actorId: number | null, caseId: number, customerId: number, payload: Row) =>
    add('domain_events', { type, occurred_at: at(when), actor_id: actorId, case_id: caseId, customer_id: customerId, payload });
  const inbound = (c: { id: number; customerId: number; touchpoint: string | null; causedBy: number | null }, when: number, body: string) => {
    entry(c.id, 'inbound_message', when, null, body);
    const eventId = event('message.received', when, null, c.id, c.customerId, { caseId: c.id, body });
    const r = readOnce(body);
    add('listening_texts', { source: 'message', source_ref: `event:${eventId}`, case_id: c.id, customer_id: c.customerId, touchpoint: c.touchpoint,
      department_id: c.causedBy, text: body, language: r.language, sentiment: r.sentiment, complaint: r.complaint, at: at(when) });
  };
  /** A recovery as its owner works it: apology and fix, most within the 24 hours, a follow-up question days later. */
  const recovery = (c: { id: number; customerId: number; causedBy: number | null }, source: string, sourceRef: string, ownerId: number | null, opened: number, extra: Row = {}) => {
    const fixed = opened + (rnd.chance(0.85) ? rnd.int(2, 20) : rnd.int(26, 60)) * HOUR;
    const done = fixed < cutoff;
    const followUp = fixed + followUpDays * DAY + rnd.int(1, 48) * HOUR;
    const answered = done && followUp < cutoff && rnd.chance(0.6);
    const id = add('recoveries', {
      case_id: c.id, customer_id: c.customerId, source, source_ref: sourceRef, owner_id: ownerId, caused_by_department_id: c.causedBy, note: null,
      status: !done ? 'open' : fixed - opened <= 24 * HOUR ? 'recovered' : 'late', opened_at: at(opened), due_at: at(opened + 24 * HOUR),
      apology_at: done ? at(opened + HOUR) : null, apology_how: done ? rnd.pick(['Phoned the customer and apologised', 'Personal apology by email']) : null,
      fix_at: done ? at(fixed) : null, fix_what: done ? rnd.pick(['Rebooked the delivery', 'Refunded the double charge', 'Sent a replacement', 'Engineer visit booked']) : null,
      surprise_at: done && rnd.chance(0.5) ? at(fixed + HOUR) : null, surprise_what: null,
      loyalty_before: null, follow_up_due_at: done ? at(fixed + followUpDays * DAY) : null,
      follow_up_at: answered ? at(followUp) : null, loyalty_after: null, loyalty_recovered: null, ...extra,
    });
    const r = rows.recoveries!.at(-1)!;
    if (r.surprise_at) r.surprise_what = rnd.pick(['Flowers with the replacement', 'Free delivery on the next order', 'Handwritten card']);
    if (r.surprise_at) entry(c.id, 'recovery_surprise', fixed + HOUR, ownerId, r.surprise_what as string, { recoveryId: id, status: r.status });
    if (answered) {
      const after = rnd.chance(0.65) ? rnd.int(7, 10) : rnd.int(2, 6);
      const before = (r.loyalty_before as number | null) ?? null;
      r.loyalty_after = after;
      r.loyalty_recovered = before === null ? after >= 7 : after >= Math.max(7, before);
      entry(c.id, 'recovery_follow_up', followUp, ownerId, null, { recoveryId: id, loyaltyBefore: before, loyaltyAfter: after, recovered: r.loyalty_recovered });
    }
    entry(c.id, 'recovery_opened', opened, null, (extra.note as string | undefined) ?? null, { recoveryId: id, source, dueAt: at(opened + 24 * HOUR), ownerId });
    if (done) {
      const r = rows.recoveries!.at(-1)!;
      entry(c.id, 'recovery_apology', opened + HOUR, ownerId, r.apology_how as string, { recoveryId: id, status: 'open', withinHours: 1 });
      entry(c.id, 'recovery_fix', fixed, ownerId, r.fix_what as string, { recoveryId: id, status: r.status, withinHours: (fixed - opened) / HOUR });
    }
    recoveryOpenUntil.set(c.customerId, Math.max(recoveryOpenUntil.get(c.customerId) ?? 0, done ? fixed : Infinity));
    return id;
  };
  const standardCommitment = (c: { id: number; customerId: number; teamId: number | null; causedBy: number | null }, kind: 'first_response' | 'resolution', opened: number, due: number, done: number, ownerId: number | null) => {
    const kept = done <= due;
    const id = add('commitments', {
      case_id: c.id, customer_id: c.customerId, kind, text: kind === 'first_response' ? 'First response within the service standard' : 'Resolution within the service standard',
      owner_id: null, team_id: c.teamId, department_id: null, status: kept ? 'kept' : 'broken', due_at: at(due), created_at: at(opened),
      kept_at: kept ? at(done) : null, broken_at: kept ? null : at(due),
    });
    if (kept) entry(c.id, 'standard_met', done, null, null, { commitmentId: id, standard: kind, dueAt: at(due) });
    else {
      entry(c.id, 'standard_missed', due, null, null, { commitmentId: id, standard: kind, dueAt: at(due) });
      recovery(c, 'missed_standard', `commitment:${id}`, ownerId, due);
    }
  };

  /** The history's last moment: everything in it happens before the played days begin. */
  const limit = cutoff - 2 * HOUR;
  /** One case's whole life, from its opening to its resolution (all before the cutoff). */
  const oneCase = (opened: number, internal: boolean) => {
    const kind = internal ? { type: 'internal_request', subjects: ['New laptop for a starter', 'Stock count for the Leeds store', 'Reset the till printer', 'Pallet space for returns'] } : pickCaseType(rnd);
    const team = internal ? rnd.pick(internalTeams) : null;
    const members = team ? agents.filter((p) => p.teamId === team.id) : agents;
    let owner = rnd.pick(members.length ? members : agents);
    const customer = rnd.pick(org.customers);
    const channel = internal ? 'other' : rnd.pick(CHANNEL_MIX);
    const unowned = !internal && rnd.chance(0.25);
    const touchpoint = internal ? null : rnd.pick(TOUCHPOINTS);
    const causedBy = !internal && rnd.chance(0.4) ? rnd.pick(org.departments).id : null;
    const std = standardFor(standards, kind.type, channel);
    const plan = plannedTimes(cal, std, opened, rnd);
    // A case whose answer would come after the cutoff belongs to the played part, not the history.
    if (plan.reply > limit) return;
    const id = base.cases! + rows.cases!.length + 1;
    const c = { id, customerId: customer.id, teamId: owner.teamId, touchpoint, causedBy };
    const tags = !internal && rnd.chance(0.3) ? [rnd.pick(['vip', 'repeat-contact', 'social-media', 'fragile', 'warranty'])] : [];
    const subject = rnd.pick(kind.subjects);
    const message = internal ? null : customer.language !== 'en' && FIRST_MESSAGE_BY_LANGUAGE[customer.language] ? FIRST_MESSAGE_BY_LANGUAGE[customer.language]! : rnd.pick(FIRST_MESSAGES[kind.type]!);
    const caseRow: Row = {
      id, subject, customer_id: customer.id, channel, type: kind.type, priority: rnd.pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
      status: 'resolved', owner_id: owner.id, team_id: team?.id ?? owner.teamId, touchpoint, caused_by_department_id: causedBy,
      requester_department_id: internal ? rnd.pick(org.departments.filter((d) => d.id !== team!.department_id)).id : null, tags,
      opened_at: at(opened), first_responded_at: null, resolved_at: null, closed_at: null, first_response_due_at: at(plan.firstDue),
      resolution_due_at: at(plan.resolutionDue), clock_paused_at: null, handover_count: 0, updated_at: at(opened),
    };
    rows.cases!.push(caseRow);
    const facts = () => ({ case: { id, type: kind.type, tags, status: caseRow.status, ownerId: caseRow.owner_id, teamId: caseRow.team_id, customerId: customer.id } });
    entry(id, 'case_opened', opened, unowned ? null : owner.id, null, { channel, firstResponseDueAt: at(plan.firstDue), resolutionDueAt: at(plan.resolutionDue), ownerId: unowned ? null : owner.id });
    event('case.opened', opened, unowned ? null : owner.id, id, customer.id, { ...facts(), openedAt: at(opened) });
    if (message) inbound(c, opened, message);
    if (kind.type === 'complaint') recovery(c, 'complaint', `case:${id}`, owner.id, opened);
    let t = plan.reply;
    if (unowned) entry(id, 'case_taken', Math.min(t - MINUTE, opened + rnd.int(2, 120) * MINUTE), owner.id);
    entry(id, 'outbound_reply', t, owner.id, internal ? 'On it; I will let you know when it is done.' : 'Thank you for getting in touch; here is what happens next.');
    caseRow.first_responded_at = at(t);

    if (!internal && t + 6 * HOUR < limit && rnd.chance(0.2)) { // a hand-over: accepted by its receiver, or declined, or left to expire
      const to = rnd.pick(agents.filter((a) => a.id !== owner.id));
      const offered = t + rnd.int(10, 120) * MINUTE;
      const fate = rnd.next();
      const answered = offered + rnd.int(2, 180) * MINUTE;
      const status = fate < 0.85 ? 'accepted' : fate < 0.95 ? 'declined' : 'expired';
      const hid = add('handovers', {
        case_id: id, offered_by_id: owner.id, from_owner_id: owner.id, to_staff_id: to.id, to_team_id: null,
        note: 'Context: customer already explained the issue; see timeline. Needs someone from your area.', status,
        decline_reason: status === 'declined' ? 'Not my area; try Billing' : null, offered_at: at(offered), expires_at: at(offered + settings.handoverExpiryMinutes * MINUTE),
        answered_at: status === 'expired' ? null : at(answered), answered_by_id: status === 'expired' ? null : to.id,
      });
      entry(id, 'handover_offered', offered, owner.id, null, { handoverId: hid, toStaffId: to.id });
      const settled = status === 'expired' ? offered + settings.handoverExpiryMinutes * MINUTE : answered;
      entry(id, `handover_${status}`, settled, status === 'expired' ? null : to.id, null, { handoverId: hid });
      if (status === 'accepted') {
        event('handover.accepted', answered, to.id, id, customer.id, { handoverId: hid, fromOwnerId: owner.id, toOwnerId: to.id });
        owner = to;
        caseRow.owner_id = to.id;
        caseRow.handover_count = 1;
      }
      t = settled;
    }
    if (!internal && t + 15 * HOUR < limit && rnd.chance(0.12)) { // a refund or credit: within the owner's authority, or asked of an approver
      const k = rnd.pick(kinds);
      const amount = rnd.pick([15, 25, 40, 60, 90, 150]);
      const limit = limitOf(k.id, owner.role);
      const within = amount <= limit;
      const lead = leadOf(owner.teamId);
      const approver = within ? null : owner.role === 'agent' && lead && limitOf(k.id, 'lead') >= amount ? lead : managers[0] ?? null;
      const asked = t + rnd.int(10, 240) * MINUTE;
      const answered = asked + rnd.int(15, 600) * MINUTE;
      const approved = within || rnd.chance(0.8);
      const reason = rnd.pick(['Late delivery', 'Damaged on arrival', 'Charged twice', 'Goodwill after a long wait']);
      const did = add('decisions', {
        case_id: id, customer_id: customer.id, kind_id: k.id, amount, currency: 'EUR', reason, requested_by_id: owner.id, team_id: owner.teamId,
        department_id: owner.departmentId, status: approved ? 'approved' : 'declined', within_authority: within, limit_amount: limit, auto_rule_id: null,
        approver_id: approver?.id ?? null, approval_due_at: within ? null : at(asked + settings.approvalResponseMinutes * MINUTE), escalated_at: null,
        decided_by_id: within ? owner.id : approver?.id ?? null, decided_at: at(within ? asked : answered),
        decline_reason: approved ? null : 'Offer a replacement instead', recovery_id: null, created_at: at(asked),
      });
      if (within) entry(id, 'decision_made', asked, owner.id, reason, { decisionId: did, kind: k.key, amount, currency: 'EUR', withinAuthority: true, rule: null });
      else {
        entry(id, 'decision_requested', asked, owner.id, reason, { decisionId: did, kind: k.key, amount, currency: 'EUR', limit, approverId: approver?.id ?? null });
        entry(id, approved ? 'decision_approved' : 'decision_declined', answered, approver?.id ?? null, approved ? null : 'Offer a replacement instead', { decisionId: did });
      }
      t = within ? asked : answered;
    }
    let brokenPromise = false;
    if (!internal && t + 100 * HOUR < limit && rnd.chance(0.35)) { // a promise: most kept, some renegotiated with the customer, a few broken
      const made = t + rnd.int(5, 60) * MINUTE;
      const due = made + rnd.int(2, 24) * HOUR;
      const fate = rnd.next();
      const renegotiated = fate < 0.04;
      const broken = !renegotiated && fate > 0.95;
      const finalDue = renegotiated ? made + (due - made) * 2 : due;
      const kept = broken ? null : renegotiated ? made + (due - made) * 1.5 : made + Math.floor((due - made) * (0.1 + 0.8 * rnd.next()));
      const text = rnd.pick(PROMISES);
      const mid = add('commitments', {
        case_id: id, customer_id: customer.id, kind: 'promise', text, owner_id: owner.id, team_id: owner.teamId, department_id: owner.departmentId,
        status: broken ? 'broken' : 'kept', due_at: at(finalDue), warn_at: at(finalDue - settings.commitmentWarningMinutes * MINUTE),
        renegotiation_count: renegotiated ? 1 : 0, created_by_id: owner.id, created_at: at(made), kept_at: kept ? at(kept) : null, broken_at: broken ? at(due) : null,
      });
      entry(id, 'commitment_made', made, owner.id, text, { commitmentId: mid, dueAt: at(due) });
      if (renegotiated) {
        add('commitment_renegotiations', { commitment_id: mid, previous_due_at: at(due), new_due_at: at(finalDue), customer_told_how: 'phone call; customer agreed',
          customer_told_at: at(made + (due - made) / 2), note: null, by_id: owner.id, created_at: at(made + (due - made) / 2) });
        entry(id, 'commitment_renegotiated', made + (due - made) / 2, owner.id, null, { commitmentId: mid, previousDueAt: at(due), newDueAt: at(finalDue) });
      }
      if (kept) entry(id, 'commitment_kept', kept, owner.id, null, { commitmentId: mid });
      else {
        entry(id, 'commitment_broken', due, null, null, { commitmentId: mid });
        recovery(c, 'broken_commitment', `commitment:${mid}`, owner.id, due);
        brokenPromise = true;
      }
      t = kept ?? due;
    }
    if (!internal && t + 51 * HOUR < limit && rnd.chance(0.3)) { // waiting on the customer for a detail
      const asked = t + rnd.int(10, 120) * MINUTE;
      entry(id, 'status_changed', asked, owner.id, null, { before: { status: 'open' }, after: { status: 'waiting_on_customer' } });
      t = asked + rnd.int(1, 20) * HOUR;
      inbound(c, t, DETAILS_MESSAGE);
    }
    const resolved = Math.min(Math.max(plan.resolve, t + rnd.int(10, 120) * MINUTE), Math.max(t + 10 * MINUTE, limit));
    caseRow.resolved_at = at(resolved);
    caseRow.updated_at = at(resolved);
    entry(id, 'status_changed', resolved, owner.id, null, { before: { status: 'open' }, after: { status: 'resolved' } });
    standardCommitment(c, 'first_response', opened, plan.firstDue, plan.reply, owner.id);
    standardCommitment(c, 'resolution', opened, plan.resolutionDue, resolved, owner.id);
    event('case.resolved', resolved, owner.id, id, customer.id, { ...facts(), resolvedAt: at(resolved), firstTime: true });
    if (resolved + 3 * DAY < cutoff && rnd.chance(0.6)) {
      caseRow.status = 'closed';
      caseRow.closed_at = at(resolved + 3 * DAY);
      caseRow.updated_at = caseRow.closed_at;
      entry(id, 'status_changed', resolved + 3 * DAY, owner.id, null, { before: { status: 'resolved' }, after: { status: 'closed' } });
    }
    if (!internal) surveyAfter(c, caseRow, owner, resolved, brokenPromise, kind.type);
  };

  /** The survey a resolved case brings (unless the customer was asked lately or has an open recovery), answered now and then. */
  const surveyAfter = (c: { id: number; customerId: number; teamId: number | null; touchpoint: string | null; causedBy: number | null }, caseRow: Row, owner: Actor, resolved: number, broken: boolean, type: string) => {
    const lastAsked = askedAt.get(c.customerId);
    if (lastAsked !== undefined && resolved - lastAsked < settings.surveyCooldownDays * DAY) return;
    if ((recoveryOpenUntil.get(c.customerId) ?? 0) > resolved) return;
    askedAt.set(c.customerId, resolved);
    const answeredAt = resolved + rnd.int(1, 72) * HOUR;
    const answers = answeredAt < cutoff && rnd.chance(0.45);
    const inv = add('survey_invitations', {
      survey_id: survey.id, customer_id: c.customerId, case_id: c.id, token_hash: `\\x${createHash('sha256').update(`demo-${c.id}`).digest('hex')}`, channel: 'email',
      agent_id: owner.id, team_id: c.teamId, department_id: c.causedBy, case_type: type, case_channel: caseRow.channel, touchpoint: c.touchpoint,
      sent_at: at(resolved), expires_at: at(resolved + survey.expires_after_days * DAY), opened_at: answers ? at(answeredAt) : null,
    });
    entry(c.id, 'survey_sent', resolved, null, null, { invitationId: inv, surveyId: survey.id, channel: 'email' });
    if (!answers) return;
    // Deliveries are the demo's weak moment of truth; a broken promise costs goodwill.
    const roll = rnd.next() - (c.touchpoint === 'deliver' ? 0.2 : 0);
    const mood = roll < (broken ? 0.45 : 0.1) ? 'detractor' : roll < (broken ? 0.75 : 0.38) ? 'passive' : 'promoter';
    const nps = mood === 'detractor' ? rnd.int(0, 6) : mood === 'passive' ? rnd.int(7, 8) : rnd.int(9, 10);
    const ces = mood === 'detractor' ? rnd.int(1, 4) : rnd.int(4, 7);
    const expectation = mood === 'detractor' ? 'below' : mood === 'promoter' && rnd.chance(0.4) ? 'above' : 'met';
    const language = org.customers.find((x) => x.id === c.customerId)?.language ?? 'en';
    const comment = rnd.chance(0.6) ? rnd.pick((COMMENTS_BY_LANGUAGE[language] ?? COMMENTS)[mood]) : null;
    const reading = comment ? readOnce(comment) : null;
    const answersJson: Row = { nps, ces, expectation, ...(comment ? { comment } : {}) };
    const rid = add('survey_responses', {
      survey_id: survey.id, invitation_id: inv, customer_id: c.customerId, case_id: c.id, agent_id: owner.id, team_id: c.teamId, department_id: c.causedBy,
      case_type: type, case_channel: caseRow.channel, touchpoint: c.touchpoint, answers: answersJson, nps, ces, csat: null, stay: null, expectation, comment,
      complaint: !!reading?.complaint, language: reading?.language ?? null, sentiment: reading?.sentiment ?? null, started_at: at(answeredAt), updated_at: at(answeredAt),
      completed_at: at(answeredAt), recovery_case_id: null,
    });
    const signal = nps <= 6 ? `detractor (${nps})` : expectation === 'below' ? 'below expectation' : reading?.complaint ? 'a comment that reads as a complaint' : null;
    if (!signal) return;
    // Closing the loop: a recovery case of its own, owned by the case's owner, on the 24-hour clock.
    const opened = answeredAt;
    const std = standardFor(standards, 'recovery', 'other');
    const plan = plannedTimes(cal, std, opened, rnd);
    const rcId = base.cases! + rows.cases!.length + 1;
    const resolvedAt = Math.min(plan.resolve, cutoff - HOUR);
    const done = resolvedAt > plan.reply;
    rows.cases!.push({
      id: rcId, subject: `Recovery: ${signal} in a survey answer`, customer_id: c.customerId, channel: 'other', type: 'recovery', priority: 'high',
      status: done ? 'resolved' : 'open', owner_id: owner.id, team_id: c.teamId, touchpoint: null, caused_by_department_id: null, requester_department_id: null,
      tags: ['survey-follow-up'], opened_at: at(opened), first_responded_at: done ? at(plan.reply) : null, resolved_at: done ? at(resolvedAt) : null, closed_at: null,
      first_response_due_at: at(plan.firstDue), resolution_due_at: at(plan.resolutionDue), clock_paused_at: null, handover_count: 0, updated_at: at(done ? resolvedAt : opened),
    });
    rows.survey_responses!.at(-1)!.recovery_case_id = rcId;
    const rc = { id: rcId, customerId: c.customerId, teamId: c.teamId, touchpoint: null, causedBy: null };
    entry(rcId, 'case_opened', opened, null, null, { channel: 'other', firstResponseDueAt: at(plan.firstDue), resolutionDueAt: at(plan.resolutionDue), ownerId: owner.id, relatedCaseId: c.id });
    event('case.opened', opened, null, rcId, c.customerId, { case: { id: rcId, type: 'recovery', tags: ['survey-follow-up'], status: 'open', ownerId: owner.id, teamId: c.teamId, customerId: c.customerId }, openedAt: at(opened) });
    recovery(rc, 'detractor', `response:${rid}`, owner.id, opened, { note: `Survey answer: ${signal}`, loyalty_before: nps });
    if (done) {
      entry(rcId, 'phone_call', plan.reply, owner.id, 'Called the customer about their answer and apologised.');
      entry(rcId, 'status_changed', resolvedAt, owner.id, null, { before: { status: 'open' }, after: { status: 'resolved' } });
      standardCommitment(rc, 'first_response', opened, plan.firstDue, plan.reply, owner.id);
      standardCommitment(rc, 'resolution', opened, plan.resolutionDue, resolvedAt, owner.id);
      // Surveyed after its resolution like any case, unless the cooldown holds (it does: the answer was just given).
    }
  };

  // The cases of the history in time order (so cooldowns and open recoveries are judged as they happened).
  const last = cutoff - 12 * HOUR;
  const openings = [
    ...Array.from({ length: opts.cases }, () => ({ at: start + Math.floor(rnd.next() * (last - start)), internal: false })),
    ...Array.from({ length: opts.internalRequests }, () => ({ at: start + Math.floor(rnd.next() * (last - start)), internal: true })),
  ].sort((a, b) => a.at - b.at);
  for (const o of openings) oneCase(o.at, o.internal);
  if (process.env.KEPT_DEMO_TIMINGS) opts.log(`  decided in ${Date.now() - t0} ms`);
  const decided = Date.now();

  // One statement per table, in the order the foreign keys need; then every subscriber's cursor past the history.
  const names = FEATURES.flatMap((f) => f.subscribers ?? []).map((s) => s.name);
  await db.transaction().execute(async (tx) => {
    // The history is not news: no live-screen announcements (row triggers) for it, and its keys
    // are given by this code, not re-checked row by row — where the role may (as bench/scale does).
    const superuser = (await sql<{ su: boolean }>`SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`.execute(tx)).rows[0]?.su === true;
    if (superuser) await sql`SET LOCAL session_replication_role = replica`.execute(tx);
    for (const table of ['cases', 'case_entries', 'handovers', 'decisions', 'commitments', 'commitment_renegotiations', 'recoveries', 'survey_invitations', 'survey_responses', 'listening_texts', 'domain_events']) {
      const t = Date.now();
      await insertRows(tx, table, rows[table]!);
      if (process.env.KEPT_DEMO_TIMINGS) opts.log(`  ${table}: ${rows[table]!.length} rows in ${Date.now() - t} ms`);
    }
    await sql`INSERT INTO event_cursors (subscriber, last_tx_id, last_id)
      SELECT n, pg_current_xact_id(), (SELECT coalesce(max(id), 0) FROM domain_events) FROM unnest(${names}::text[]) n
      ON CONFLICT (subscriber) DO UPDATE SET last_tx_id = EXCLUDED.last_tx_id, last_id = EXCLUDED.last_id, attempts = 0, retry_at = NULL, last_error = NULL`.execute(tx);
    for (const table of Object.keys(rows)) {
      await sql.raw(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), greatest(1, (SELECT coalesce(max(id), 0) FROM ${table})))`).execute(tx);
    }
  });
  const n = (t: string) => rows[t]!.length.toLocaleString('en');
  opts.log(`Demo: history of ${n('cases')} cases, ${n('case_entries')} timeline entries, ${n('recoveries')} recoveries, ${n('survey_responses')} survey answers written in ${((Date.now() - t0) / 1000).toFixed(1)} s (${((decided - t0) / 1000).toFixed(1)} s deciding)`);
}

/**
 * Rows → one INSERT … SELECT FROM json_populate_recordset per chunk (the ids are given). Rows of
 * one table may name different columns (a promise has a renegotiation count, a standard's
 * commitment leaves it to its default): each set of columns is inserted on its own, since a
 * column missing from a JSON row would be NULL rather than its default.
 */
async function insertRows(db: Ctx['db'], table: string, rows: Row[]) {
  const byColumns = new Map<string, Row[]>();
  for (const row of rows) {
    const key = Object.keys(row).join(',');
    const group = byColumns.get(key);
    if (group) group.push(row);
    else byColumns.set(key, [row]);
  }
  for (const [key, group] of byColumns) {
    const list = key.split(',').map((c) => `"${c}"`).join(', ');
    for (let i = 0; i < group.length; i += 20_000) {
      const chunk = JSON.stringify(group.slice(i, i + 20_000));
      await sql`${sql.raw(`INSERT INTO ${table} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM json_populate_recordset(NULL::${table}, `)}${chunk}::json)`.execute(db);
    }
  }
}
