/**
 * Cases. An open case always has exactly one owner (only a brand-new case may wait unowned in a
 * team queue); the owner changes only through an accepted hand-over or by taking an unowned
 * case. When a case opens, the service standard's expected times are computed and stored, to be
 * told to the customer.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../core/db/database';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { writeLater } from '../core/db/pipeline';
import { resolveTouchpoint } from '../touchpoints';
import { staffActor } from '../core/access';
import { requireCaseAuthority, requireCaseWorker } from '../core/authority';
import { Conflict, Forbidden, Invalid, NotFound } from '../core/errors';
import { decodeCursor, toPage } from '../core/pagination';
import { recordAudit, changedFields } from '../audit';
import { addEntry, addEntries, addReservedEntry, reserveEntryId } from '../timeline';
import { businessCalendar } from '../org';
import { expectationFor } from '../standards';
import { openStandardCommitments, meetStandard, pauseStandardClock, resumeStandardClock } from '../commitments';
import { createCustomer, findCustomerByEmail, findCustomerByPhone, getCustomer, type Customer, type CustomerInput } from '../customers';
import { checkReply } from '../respect';
import { queueReplyEmail, replyRoute } from '../outbox';
import { replyAttachments } from '../email/attachments';
import { caseFacts, publish, publishAll, type DomainEvent } from '../events';
import { chooseOwner, inboundTeam } from '../routing';
import type { Channel } from '../customers';
import type { CaseStatus, Priority } from './schema';

/** A case handed on this many times is flagged: the customer is being given the run-around. */
export const RUN_AROUND_THRESHOLD = 3;

export const caseColumns = ['cases.id', 'cases.subject', 'cases.customer_id as customerId', 'cases.channel', 'cases.type',
  'cases.priority', 'cases.status', 'cases.owner_id as ownerId', 'cases.team_id as teamId', 'cases.touchpoint',
  'cases.caused_by_department_id as causedByDepartmentId', 'cases.requester_department_id as requesterDepartmentId', 'cases.tags', 'cases.opened_at as openedAt',
  'cases.first_responded_at as firstRespondedAt', 'cases.resolved_at as resolvedAt', 'cases.closed_at as closedAt',
  'cases.first_response_due_at as firstResponseDueAt', 'cases.resolution_due_at as resolutionDueAt',
  'cases.clock_paused_at as clockPausedAt', 'cases.handover_count as handoverCount', 'cases.updated_at as updatedAt',
  'cases.customer_viewed_reply_at as customerViewedReplyAt'] as const;

export interface NewCase {
  subject: string;
  customerId?: number;
  customer?: CustomerInput & { emails?: string[] };
  channel: Channel;
  type?: string;
  priority?: Priority;
  ownerId?: number | null;
  teamId?: number | null;
  touchpoint?: string | null;
  /** An internal request: the department asking. */
  requesterDepartmentId?: number | null;
  causedByDepartmentId?: number | null;
  tags?: string[];
  message?: string;
  /** The case this one follows up (e.g. a recovery case opened by a survey answer about it). */
  relatedCaseId?: number | null;
  /** For imports of history: when the case really opened. */
  openedAt?: Date;
}

function withFlags<T extends { handoverCount: number }>(row: T) {
  return { ...row, runAround: row.handoverCount >= RUN_AROUND_THRESHOLD };
}

export async function getCase(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('cases').select(caseColumns).where('cases.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Case', id);
  return withFlags(row);
}

export type CaseView = Awaited<ReturnType<typeof getCase>>;

/**
 * The case screen's answer: the case with the names it shows (owner, team) and what it must
 * offer at once (a pending hand-over with its receiver, where a reply would go), so the header
 * never waits for another list to say who owns the case.
 */
export async function getCaseView(ctx: Ctx, id: number) {
  // One statement for the case, its names and its pending hand-over (at most one: handovers_one_pending).
  const row = await ctx.db.selectFrom('cases')
    .leftJoin('staff as owner', 'owner.id', 'cases.owner_id').leftJoin('teams', 'teams.id', 'cases.team_id')
    .leftJoin('handovers', (j) => j.onRef('handovers.case_id', '=', 'cases.id').on('handovers.status', '=', 'pending'))
    .leftJoin('staff as offerer', 'offerer.id', 'handovers.offered_by_id')
    .leftJoin('staff as receiver', 'receiver.id', 'handovers.to_staff_id').leftJoin('teams as toTeam', 'toTeam.id', 'handovers.to_team_id')
    .select(caseColumns)
    .select(['owner.name as ownerName', 'teams.name as teamName', 'handovers.id as offerId', 'handovers.to_staff_id as offerToStaffId',
      'handovers.to_team_id as offerToTeamId', 'receiver.name as offerToStaffName', 'toTeam.name as offerToTeamName', 'offerer.name as offerOfferedBy',
      'handovers.note as offerNote', 'handovers.offered_at as offerOfferedAt', 'handovers.expires_at as offerExpiresAt'])
    .where('cases.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Case', id);
  const { ownerName, teamName, offerId, offerToStaffId, offerToTeamId, offerToStaffName, offerToTeamName, offerOfferedBy, offerNote, offerOfferedAt, offerExpiresAt, ...caseRow } = row;
  const c = withFlags(caseRow);
  const pendingOffer = offerId === null ? null : {
    id: offerId, toStaffId: offerToStaffId, toTeamId: offerToTeamId, toStaffName: offerToStaffName, toTeamName: offerToTeamName,
    offeredBy: offerOfferedBy!, note: offerNote, offeredAt: offerOfferedAt!, expiresAt: offerExpiresAt!,
  };
  const customer = await getCustomer(ctx, c.customerId);
  return { ...c, ownerName, teamName, customer, pendingOffer, replyRoute: await replyRoute(ctx, c, customer) };
}

/**
 * FOR NO KEY UPDATE, not FOR UPDATE: we never change a case's id, and this mode lets other
 * transactions keep inserting rows that reference the case (timeline entries from timers)
 * without waiting on us, which is what keeps timers and replies from deadlocking.
 */
export async function lockCase(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('cases').select(caseColumns).where('cases.id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw new NotFound('Case', id);
  return row;
}

/** The same lock, reserving the id of the entry the command is about to write (one round trip for both). */
async function lockCaseForEntry(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('cases').select(caseColumns).select(reserveEntryId.as('entryId'))
    .where('cases.id', '=', id).forNoKeyUpdate().executeTakeFirst();
  if (!row) throw new NotFound('Case', id);
  const { entryId, ...c } = row;
  return { c, entryId };
}

async function resolveCustomer(ctx: Ctx, input: NewCase): Promise<number> {
  if (input.customerId) {
    const c = await ctx.db.selectFrom('customers').select(['id', 'merged_into_id']).where('id', '=', input.customerId).executeTakeFirst();
    if (!c) throw new Invalid('body.customerId', 'exists', `Customer ${input.customerId} does not exist`);
    return c.merged_into_id ?? c.id; // a merged duplicate's new cases go to the surviving record
  }
  if (!input.customer) throw new Invalid('body.customerId', 'required', 'Give customerId, or customer with at least a name');
  for (const email of input.customer.emails ?? []) {
    const known = await findCustomerByEmail(ctx, email);
    if (known) return known;
  }
  for (const phone of input.customer.phones ?? []) { const known = await findCustomerByPhone(ctx, phone); if (known) return known; }
  return (await createCustomer(ctx, input.customer)).id;
}

/**
 * Opened by a staff member (who owns it, or leaves it unowned for a team queue) or by the system
 * (email), unowned. Nobody is made owner without saying yes: a colleague gets a case by a
 * hand-over. A new unowned case asks routing for an owner; if nobody can take it, it waits.
 */
export async function openCase(ctx: Ctx, input: NewCase) {
  const me = ctx.actor;
  if (me) requireCaseWorker(ctx);
  if (me && input.ownerId && input.ownerId !== me.id) {
    throw new Forbidden('A case is opened by its owner or left unowned for the team queue: to give it to a colleague, open it and offer it with a hand-over');
  }
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const openedAt = input.openedAt ?? now;
    const customerId = await resolveCustomer(tx, input);
    const chosenOwnerId = input.ownerId === undefined ? (me?.id ?? null) : input.ownerId;
    const queueTeamId = chosenOwnerId ? null : (input.teamId ?? (me ? null : await inboundTeam(tx)));
    const routed = queueTeamId ? await chooseOwner(tx, queueTeamId) : null;
    const ownerId = chosenOwnerId ?? routed?.choice?.staffId ?? null;
    if (input.requesterDepartmentId && !(await tx.db.selectFrom('departments').select('id').where('id', '=', input.requesterDepartmentId).executeTakeFirst())) {
      throw new Invalid('body.requesterDepartmentId', 'exists', `Department ${input.requesterDepartmentId} does not exist`);
    }
    // An internal request has its own service standards: those set for the type "internal_request".
    const type = input.type ?? (input.requesterDepartmentId ? 'internal_request' : 'question');
    const expectation = await expectationFor(tx, { caseType: type, channel: input.channel, openedAt });
    const row = await tx.db
      .insertInto('cases')
      .values({
        subject: input.subject,
        customer_id: customerId,
        channel: input.channel,
        type,
        priority: input.priority ?? 'normal',
        status: ownerId ? 'open' : 'new',
        owner_id: ownerId,
        team_id: input.teamId ?? routed?.teamId ?? (me && ownerId === me.id ? me.teamId : null),
        touchpoint: (await resolveTouchpoint(tx, input.touchpoint, 'body.touchpoint')) ?? null,
        requester_department_id: input.requesterDepartmentId ?? null,
        caused_by_department_id: input.causedByDepartmentId ?? null,
        tags: normaliseTags(input.tags ?? []),
        opened_at: openedAt,
        first_response_due_at: expectation?.firstResponseDueAt ?? null,
        resolution_due_at: expectation?.resolutionDueAt ?? null,
        updated_at: now,
      })
      .returning(caseColumns)
      .executeTakeFirstOrThrow();
    if (expectation) await openStandardCommitments(tx, row, expectation);
    await addEntries(tx, row.id, [
      { kind: 'case_opened', data: { channel: row.channel, firstResponseDueAt: row.firstResponseDueAt, resolutionDueAt: row.resolutionDueAt, ownerId, ...(input.relatedCaseId ? { relatedCaseId: input.relatedCaseId } : {}) } },
      ...(input.message ? [{ kind: 'inbound_message' as const, body: input.message, authorId: null }] : []),
      ...(routed ? [routingEntry(routed)] : []),
    ]);
    await recordAudit(tx, 'case', row.id, 'open', null, row);
    const opened: DomainEvent[] = [{ type: 'case.opened', caseId: row.id, customerId, payload: { case: caseFacts(row), openedAt: row.openedAt } }];
    if (input.message) opened.push({ type: 'message.received', caseId: row.id, customerId, payload: { caseId: row.id, channel: row.channel, body: input.message } });
    // A team rule chose the owner, or the case waits in the team's queue: integrations see which, and why.
    if (routed) opened.push({ type: 'case.routed', caseId: row.id, customerId, payload: { case: caseFacts(row), ownerId: routed.choice?.staffId ?? null, teamId: routed.teamId, reason: routed.reason } });
    await publishAll(tx, opened);
    return withFlags(row);
  });
}

/** The timeline says how the case got its owner, or why it waits in the queue. */
function routingEntry(r: NonNullable<Awaited<ReturnType<typeof chooseOwner>>>) {
  const body = r.choice
    ? `Routed to ${r.choice.staffName} by the ${r.teamName} team rule`
    : `Waiting in the ${r.teamName} queue: ${r.reason}`;
  return { kind: 'case_routed' as const, body, authorId: null, data: { ownerId: r.choice?.staffId ?? null, teamId: r.teamId, reason: r.reason } };
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))].sort();
}

export interface CaseFilter {
  ownerId?: number;
  status?: CaseStatus[];
  teamId?: number;
  customerId?: number;
  unowned?: boolean;
  dueBefore?: Date;
  tag?: string;
  priority?: Priority[];
  channel?: Channel[];
  touchpoint?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paginated; every filter here is backed by an index (see the migration). */
export async function listCases(ctx: Ctx, f: CaseFilter) {
  const rows = await caseListQuery(ctx, f, f.q ? await casesWithRareWords(ctx, f.q) : null).execute();
  return toPage(rows.map(withFlags), f.limit);
}

/** A word in at least this share of the messages fills a page soonest by walking the newest cases. */
const COMMON_WORD = 0.002;

/**
 * How many matching messages to read from the full-text index before walking the newest cases
 * instead. Reading a match costs no more than a walk's test of one message (~7 µs and 5–20 µs
 * at 10,000,000 cases), and a walk tests ~51 / share messages to fill a page, so the two ways
 * cost the same where share = √(51 / entries): read up to that many matches.
 * At 1,000,000 cases that is ~13,000, at 10,000,000 ~41,000; a fixed 10,000 sent a name found
 * in 10,030 messages on a walk of 0.9–4 s.
 */
const rareWordCap = (entries: number) => Math.round(Math.min(100_000, Math.max(10_000, Math.sqrt(51 * entries))));

/**
 * The cases whose messages hold these words, when they are rare (an order number, a name): read
 * from the full-text index, at most rareWordCap entries. Null when the words are common:
 * then walking the newest cases fills a page sooner. How common a word is comes from the index's
 * statistics (its most common words); PostgreSQL's own plan takes every word it has no
 * statistics for to be in 0.5 % of the messages, and then walks for seconds to find a rare one.
 */
export async function casesWithRareWords(ctx: Ctx, words: string): Promise<number[] | null> {
  const { rows: [share] } = await sql<{ rarest: number | null; entries: number | null }>`SELECT min(coalesce(s.most_common_elem_freqs[array_position(s.most_common_elems::text::text[], w)], 0))::float8 AS rarest,
      (SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'case_entries'::regclass) AS entries
    FROM unnest(tsvector_to_array(to_tsvector('simple', ${words}))) w
    LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'case_entries_text_idx' AND s.attname = 'to_tsvector'`.execute(ctx.db);
  if ((share?.rarest ?? 0) >= COMMON_WORD) return null;
  const cap = rareWordCap(share?.entries ?? 0);
  const { rows } = await sql<{ caseId: number }>`SELECT case_id::int AS "caseId" FROM case_entries
    WHERE to_tsvector('simple', coalesce(body, '')) @@ plainto_tsquery('simple', ${words}) LIMIT ${cap}`.execute(ctx.db);
  return rows.length < cap ? [...new Set(rows.map((r) => r.caseId))] : null;
}

/** The list's one query, unexecuted (the scale bench shows its plan); `rare`: see casesWithRareWords. */
export function caseListQuery(ctx: Ctx, f: CaseFilter, rare: number[] | null = null) {
  const where = caseConditions(f);
  const q = ctx.db
    .selectFrom('cases')
    .innerJoin('customers', 'customers.id', 'cases.customer_id')
    .leftJoin('staff as owner', 'owner.id', 'cases.owner_id')
    .select(caseColumns)
    .select(['customers.name as customerName', 'owner.name as ownerName'])
    .where((eb) => where(eb as unknown as CasesEb));
  if (!f.q) return q.orderBy('cases.id', 'desc').limit(f.limit + 1);
  // Subject or customer by substring (trigram indexes), the messages by their words (GIN full-text
  // index). Each way of matching finds its own newest page, so the planner picks per way between an
  // index of the few matches and walking the newest cases until a page is full (a common word).
  const like = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const n = f.limit + 1;
  const bySubject = ctx.db.selectFrom('cases').select('cases.id').where((eb) => where(eb))
    .where('cases.subject', 'ilike', like).orderBy('cases.id', 'desc').limit(n);
  const byCustomer = ctx.db.selectFrom('cases').innerJoin('customers', 'customers.id', 'cases.customer_id').select('cases.id')
    .where((eb) => where(eb as unknown as CasesEb)).where('customers.name', 'ilike', like).orderBy('cases.id', 'desc').limit(n);
  const byWords = ctx.db.selectFrom('cases').select('cases.id').where((eb) => where(eb))
    .where(rare ? sql<boolean>`cases.id = ANY(${rare}::bigint[])`
      : sql<boolean>`EXISTS (SELECT 1 FROM case_entries e WHERE e.case_id = cases.id AND to_tsvector('simple', coalesce(e.body, '')) @@ plainto_tsquery('simple', ${f.q}))`)
    .orderBy('cases.id', 'desc').limit(n);
  const found = ctx.db.selectFrom(bySubject.as('s')).select('s.id')
    .unionAll(ctx.db.selectFrom(byCustomer.as('c')).select('c.id'))
    .unionAll(ctx.db.selectFrom(byWords.as('w')).select('w.id'));
  return q.where('cases.id', 'in', found).orderBy('cases.id', 'desc').limit(n);
}

type CasesEb = ExpressionBuilder<Database, 'cases'>;

/** Every filter of a case list but the search words, over the cases table alone. */
function caseConditions(f: CaseFilter) {
  const after = decodeCursor(f.cursor);
  return (eb: CasesEb): Expression<SqlBool> => {
    const all: Expression<SqlBool>[] = [];
    if (f.ownerId) all.push(eb('cases.owner_id', '=', f.ownerId));
    if (f.unowned) all.push(eb('cases.owner_id', 'is', null));
    if (f.status?.length) all.push(eb('cases.status', 'in', f.status));
    if (f.teamId) all.push(eb('cases.team_id', '=', f.teamId));
    if (f.customerId) all.push(eb('cases.customer_id', '=', f.customerId));
    if (f.tag) all.push(eb('cases.tags', '@>', sql<string[]>`ARRAY[${f.tag.toLowerCase()}]::text[]`));
    if (f.priority?.length) all.push(eb('cases.priority', 'in', f.priority));
    if (f.channel?.length) all.push(eb('cases.channel', 'in', f.channel));
    if (f.touchpoint) all.push(eb('cases.touchpoint', '=', f.touchpoint));
    if (f.dueBefore) {
      // The same rule as My work's "standards at risk": an open case whose first response (not yet
      // given) or resolution falls due before then, its clock running (paused waits on the customer).
      const before = f.dueBefore;
      all.push(eb('cases.status', 'not in', ['resolved', 'closed']), eb('cases.clock_paused_at', 'is', null), eb.or([
        eb('cases.resolution_due_at', '<', before),
        eb.and([eb('cases.first_responded_at', 'is', null), eb('cases.first_response_due_at', '<', before)]),
      ]));
    }
    if (after) all.push(eb('cases.id', '<', after));
    return all.length ? eb.and(all) : sql<SqlBool>`true`;
  };
}

/**
 * How many cases a filter matches, counted up to `cap` (a saved view says "10,000+" rather than
 * scanning a million rows to be exact about a number nobody works through).
 */
export async function countCases(ctx: Ctx, f: Omit<CaseFilter, 'limit' | 'cursor'>, cap: number): Promise<{ count: number; more: boolean }> {
  staffActor(ctx);
  const hits = caseListQuery(ctx, { ...f, limit: cap }, f.q ? await casesWithRareWords(ctx, f.q) : null);
  const row = await ctx.db.selectFrom(hits.as('hits')).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const n = Number(row.n);
  return { count: Math.min(n, cap), more: n > cap };
}

/** Open cases per owner: the load shown beside each colleague when choosing whom to hand a case to. */
export async function workload(ctx: Ctx) {
  staffActor(ctx);
  const rows = await ctx.db.selectFrom('cases').select(['owner_id as staffId', (eb) => eb.fn.countAll<string>().as('open')])
    .where('owner_id', 'is not', null).where('status', 'in', OPEN_STATUSES).groupBy('owner_id').execute();
  return rows.map((r) => ({ staffId: r.staffId!, openCases: Number(r.open) }));
}

/**
 * The counts beside the standard views of Queues, in one pass over the open cases: mine, my
 * team's, unowned, at risk (the same rule as the dueBefore filter) and waiting on the customer.
 */
export async function viewCounts(ctx: Ctx, atRiskBefore: Date) {
  const me = staffActor(ctx);
  const row = await ctx.db.selectFrom('cases')
    .select([
      sql<string>`count(*) FILTER (WHERE owner_id = ${me.id})`.as('mine'),
      sql<string>`count(*) FILTER (WHERE team_id = ${me.teamId ?? -1})`.as('team'),
      sql<string>`count(*) FILTER (WHERE owner_id IS NULL)`.as('unowned'),
      sql<string>`count(*) FILTER (WHERE clock_paused_at IS NULL AND (resolution_due_at < ${atRiskBefore} OR (first_responded_at IS NULL AND first_response_due_at < ${atRiskBefore})))`.as('atRisk'),
      sql<string>`count(*) FILTER (WHERE status = 'waiting_on_customer')`.as('waitingOnCustomer'),
      sql<string>`count(*)`.as('open'),
    ])
    .where('status', 'in', OPEN_STATUSES)
    .executeTakeFirstOrThrow();
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as Record<keyof typeof row, number>;
}

export interface CasePatch {
  subject?: string;
  type?: string;
  priority?: Priority;
  status?: Exclude<CaseStatus, 'new'>;
  teamId?: number | null;
  touchpoint?: string | null;
  causedByDepartmentId?: number | null;
  tags?: string[];
}

const OPEN_STATUSES: CaseStatus[] = ['new', 'open', 'waiting_on_customer', 'waiting_on_us'];

export async function updateCase(ctx: Ctx, id: number, patch: CasePatch) {
  staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const before = await lockCase(tx, id);
    await requireCaseAuthority(tx, id, 'change the case');
    const now = tx.clock.now();
    const set: Record<string, unknown> = {};
    if (patch.subject !== undefined) set.subject = patch.subject;
    if (patch.type !== undefined) set.type = patch.type;
    if (patch.priority !== undefined) set.priority = patch.priority;
    if (patch.teamId !== undefined) set.team_id = patch.teamId;
    if (patch.touchpoint !== undefined) set.touchpoint = await resolveTouchpoint(tx, patch.touchpoint, 'body.touchpoint');
    if (patch.causedByDepartmentId !== undefined) set.caused_by_department_id = patch.causedByDepartmentId;
    if (patch.tags !== undefined) set.tags = normaliseTags(patch.tags);
    if (patch.status && patch.status !== before.status) Object.assign(set, await changeStatus(tx, before, patch.status));
    const row = await tx.db
      .updateTable('cases')
      .set({ ...set, updated_at: now })
      .where('id', '=', id)
      .returning(caseColumns)
      .executeTakeFirstOrThrow();
    const diff = changedFields(before, row);
    delete diff.before.updatedAt;
    delete diff.after.updatedAt;
    if (Object.keys(diff.after).length) {
      await recordAudit(tx, 'case', id, 'update', diff.before, diff.after);
      const kind = diff.after.status ? 'status_changed' : 'case_updated';
      await addEntry(tx, id, kind, { data: { before: diff.before, after: diff.after } });
      await publishAll(tx, caseChangeEvents(before, row, diff));
    }
    return withFlags(row);
  });
}

/** case.updated for every change, plus the status's own event (resolved, reopened, closed) that features react to. */
function caseChangeEvents(before: CaseRow, after: CaseRow, diff: { before: object; after: object }, by: 'staff' | 'customer' = 'staff'): DomainEvent[] {
  const subjects = { caseId: after.id, customerId: after.customerId };
  const events: DomainEvent[] = [{ type: 'case.updated', ...subjects, payload: { case: caseFacts(after), before: diff.before, after: diff.after } }];
  if (before.status !== after.status) {
    const wasOpen = OPEN_STATUSES.includes(before.status);
    if (after.status === 'resolved' || (after.status === 'closed' && wasOpen)) {
      events.push({ type: 'case.resolved', ...subjects, payload: { case: caseFacts(after), resolvedAt: after.resolvedAt, firstTime: !before.resolvedAt } });
    }
    if (after.status === 'closed') events.push({ type: 'case.closed', ...subjects, payload: { case: caseFacts(after), closedAt: after.closedAt, by } });
    if (!wasOpen && OPEN_STATUSES.includes(after.status)) events.push({ type: 'case.reopened', ...subjects, payload: { case: caseFacts(after), by } });
  }
  return events;
}

type CaseRow = Awaited<ReturnType<typeof lockCase>>;

/** Status rules: the standard's clock pauses while waiting on the customer; resolving meets it. */
async function changeStatus(ctx: Ctx, c: Awaited<ReturnType<typeof lockCase>>, to: Exclude<CaseStatus, 'new'>) {
  const now = ctx.clock.now();
  const set: Record<string, unknown> = { status: to };
  if (!c.ownerId && to !== 'closed') throw new Conflict(`Case ${c.id} has no owner yet: take it or offer it to someone first`);
  if (c.status === 'waiting_on_customer') {
    const due = await resumeStandardClock(ctx, c.id, await businessCalendar(ctx));
    set.clock_paused_at = null;
    if (due.first_response) set.first_response_due_at = due.first_response;
    if (due.resolution) set.resolution_due_at = due.resolution;
  }
  if (to === 'waiting_on_customer') {
    await pauseStandardClock(ctx, c.id);
    set.clock_paused_at = now;
  }
  if (to === 'resolved' || to === 'closed') {
    await meetStandard(ctx, c.id, 'first_response');
    await meetStandard(ctx, c.id, 'resolution');
    if (!c.resolvedAt) set.resolved_at = now;
    if (to === 'closed') set.closed_at = now;
  } else if (!OPEN_STATUSES.includes(c.status)) {
    set.resolved_at = null; // reopened
    set.closed_at = null;
  }
  return set;
}

const MESSAGE_EVENTS = { inbound_message: 'message.received', outbound_reply: 'reply.sent', internal_note: 'note.added', phone_call: 'call.logged' } as const;

/** Messages on the timeline. A reply to the customer is the first response the standard asks for. */
export async function addMessage(
  ctx: Ctx,
  caseId: number,
  kind: 'inbound_message' | 'outbound_reply' | 'internal_note' | 'phone_call',
  input: { body: string; data?: Record<string, unknown>; attachmentIds?: number[] },
) {
  // The customer's own messages may arrive with no staff member acting (email, web form).
  const me = kind === 'inbound_message' ? ctx.actor : staffActor(ctx);
  if (me) requireCaseWorker(ctx);
  return inTransaction(ctx, async (tx) => {
    // The lock also reserves the entry's id, so the entry is written with the command's last statements.
    const { c, entryId } = await lockCaseForEntry(tx, caseId);
    // Replying speaks for the owner (the owner needs no further look); anyone may note, log a
    // call, or answer an unowned case (taking it).
    if (kind === 'outbound_reply' && c.ownerId && c.ownerId !== me!.id) await requireCaseAuthority(tx, caseId, 'reply to the customer');
    const now = tx.clock.now();
    const set: Record<string, unknown> = {};
    let customer: Customer | null = null;
    if (kind === 'outbound_reply') {
      customer = await getCustomer(tx, c.customerId); // read once: for the greeting check and the email
      checkReply(customer, input.body);
      if (!c.ownerId) {
        set.owner_id = me!.id; // answering an unowned case is taking it
        set.status = 'open';
      }
      if (!c.firstRespondedAt) {
        set.first_responded_at = now;
        await meetStandard(tx, caseId, 'first_response');
      }
    }
    if (kind === 'inbound_message' && c.status === 'resolved') {
      Object.assign(set, { status: 'waiting_on_us', resolved_at: null }); // the customer says it is not resolved
    }
    if (kind === 'inbound_message' && c.status === 'waiting_on_customer') {
      const due = await resumeStandardClock(tx, caseId, await businessCalendar(tx));
      Object.assign(set, { status: 'waiting_on_us', clock_paused_at: null });
      if (due.first_response) set.first_response_due_at = due.first_response;
      if (due.resolution) set.resolution_due_at = due.resolution;
    }
    // Files uploaded for this reply travel with it (the email's attachments) and show on its entry.
    const files = kind === 'outbound_reply' ? await replyAttachments(tx, caseId, input.attachmentIds ?? []) : [];
    const data = files.length ? { ...input.data, attachments: { stored: files, refused: [] } } : input.data ?? {};
    const written = { body: input.body, data, authorId: kind === 'inbound_message' ? null : me!.id };
    // The reserved id keeps the timeline's order only if nothing above wrote an entry after the
    // lock (a first reply meets the standard, a customer's answer restarts its clock): then the
    // entry takes a fresh id as before, and the reserved one is left unused.
    const wroteEntries = (kind === 'outbound_reply' && !c.firstRespondedAt) || (kind === 'inbound_message' && c.status === 'waiting_on_customer');
    const entry = wroteEntries ? await addEntry(tx, caseId, kind, written) : await addReservedEntry(tx, entryId, caseId, kind, written);
    if (files.length) await tx.db.updateTable('attachments').set({ entry_id: entry.id }).where('id', 'in', files.map((f) => f.id)).execute();
    // Nothing is read back: the update goes with the next statement (core/db/pipeline).
    await writeLater(tx.db, tx.db.updateTable('cases').set({ ...set, updated_at: now }).where('id', '=', caseId));
    if (customer) await queueReplyEmail(tx, c, customer, entry.id, input.body);
    if (Object.keys(set).length) await recordAudit(tx, 'case', caseId, kind, null, set);
    const subjects = { caseId, customerId: c.customerId };
    const message = { caseId, entryId: entry.id, channel: c.channel, body: input.body, authorId: entry.authorId, ...(input.data?.via ? { via: input.data.via } : {}), ...(input.data?.public ? { public: true } : {}) };
    const events: DomainEvent[] = [{ type: MESSAGE_EVENTS[kind], ...subjects, payload: message }];
    if (set.status === 'waiting_on_us' && c.status === 'resolved') events.push({ type: 'case.reopened', ...subjects, payload: { case: caseFacts({ ...c, status: 'waiting_on_us' }), by: 'customer' } });
    if (set.owner_id) events.push({ type: 'case.taken', ...subjects, payload: { case: caseFacts({ ...c, ownerId: me!.id, status: 'open' }), ownerId: me!.id, by: 'reply' } });
    await publishAll(tx, events);
    return entry;
  });
}

/**
 * The customer closes their case, or reopens it (from the portal; the portal has checked it is
 * theirs and within the reopening window). The same status rules as staff changes, by: 'customer'.
 */
export async function setStatusByCustomer(ctx: Ctx, id: number, to: 'closed' | 'waiting_on_us') {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const before = await lockCase(tx, id);
    if (before.status === to) return withFlags(before);
    const set = await changeStatus(tx, before, to);
    const row = await tx.db.updateTable('cases').set({ ...set, updated_at: tx.clock.now() }).where('id', '=', id).returning(caseColumns).executeTakeFirstOrThrow();
    const diff = { before: { status: before.status }, after: { status: row.status } };
    await recordAudit(tx, 'case', id, 'update', diff.before, diff.after);
    await addEntry(tx, id, 'status_changed', { authorId: null, data: { ...diff, by: 'customer' } });
    await publishAll(tx, caseChangeEvents(before, row, diff, 'customer'));
    return withFlags(row);
  });
}

/** Taking an unowned case from a queue: the one way to own a case without a hand-over. */
export async function takeCase(ctx: Ctx, id: number) {
  const me = requireCaseWorker(ctx);
  return inTransaction(ctx, async (tx) => {
    const c = await lockCase(tx, id);
    if (c.ownerId) {
      const owner = await tx.db.selectFrom('staff').select('name').where('id', '=', c.ownerId).executeTakeFirst();
      throw new Conflict(`Case ${id} is already owned by ${owner?.name ?? `staff member ${c.ownerId}`}; ask them for a hand-over instead`);
    }
    const row = await tx.db
      .updateTable('cases')
      .set({ owner_id: me.id, status: 'open', team_id: c.teamId ?? me.teamId, updated_at: tx.clock.now() })
      .where('id', '=', id)
      .returning(caseColumns)
      .executeTakeFirstOrThrow();
    await addEntry(tx, id, 'case_taken', { data: { ownerId: me.id } });
    await recordAudit(tx, 'case', id, 'take', { ownerId: null, status: c.status }, { ownerId: me.id, status: 'open' });
    await publish(tx, 'case.taken', { caseId: id, customerId: row.customerId }, { case: caseFacts(row), ownerId: me.id, by: 'take' });
    return withFlags(row);
  });
}

/** Used by hand-overs: the only other way ownership moves. */
export async function transferOwnership(ctx: Ctx, caseId: number, toStaffId: number, teamId: number | null) {
  const c = await lockCase(ctx, caseId);
  const row = await ctx.db
    .updateTable('cases')
    .set((eb) => ({
      owner_id: toStaffId,
      team_id: teamId ?? c.teamId,
      status: c.status === 'new' ? 'open' : c.status,
      handover_count: eb('handover_count', '+', 1),
      updated_at: ctx.clock.now(),
    }))
    .where('id', '=', caseId)
    .returning(caseColumns)
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, 'case', caseId, 'transfer_ownership', { ownerId: c.ownerId, teamId: c.teamId }, { ownerId: toStaffId, teamId: row.teamId });
  return withFlags(row);
}

