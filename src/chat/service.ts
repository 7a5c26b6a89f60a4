/**
 * Live chat where a human is always reachable. A visitor may ask for a person at any moment;
 * they then see their place in the queue and an honest estimated wait. When nobody can answer
 * (nobody online, outside business hours, or a wait beyond the chat standard) the conversation
 * is taken as a case at once and the visitor is told when a person will be there: never "try
 * again later". A chat is a case with channel 'chat': the agent who accepts owns it, every
 * message is also a timeline entry, and a live chat changes hands only by the case hand-over.
 *
 * Messages are stored (with a per-conversation sequence number) before anyone is told of them;
 * the announcement is a pg_notify in the same transaction, so every instance hears of exactly
 * what was committed and each socket fetches "everything after seq N" from the database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { requireCaseWorker } from '../core/authority';
import { Conflict, Forbidden, NotFound, TooManyRequests } from '../core/errors';
import { addMessage, getCase, openCase, updateCase } from '../cases';
import { createCustomer, findCustomerByEmail, mergeCustomers, updateCustomer } from '../customers';
import { addBusinessMinutes, expectationFor } from '../standards';
import { businessCalendar } from '../org';
import type { LiveEvent } from '../core/events';
import type { ChatAuthor, ChatLanguage, ConversationStatus, Presence } from './schema';
import { estimateWaitSeconds, LEAVE_GRACE_MS, queuePosition, recentHandleSeconds, staffingFor } from './queue';
import { formatWhen, say } from './words';

/** A visitor may send this many messages a minute; more is a flood. */
export const MESSAGES_PER_MINUTE = 20;
export const MESSAGE_MAX_CHARS = 2000;
/** Without a chat standard, a person is promised within this much business time. */
const FALLBACK_RESPONSE_MINUTES = 60;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const conversationColumns = ['c.id', 'c.team_id as teamId', 'c.language', 'c.status', 'c.email', 'c.customer_id as customerId',
  'c.case_id as caseId', 'c.agent_id as agentId', 'c.queued_at as queuedAt', 'c.estimated_wait_seconds as estimatedWaitSeconds',
  'c.accepted_at as acceptedAt', 'c.left_at as leftAt', 'c.expected_at as expectedAt', 'c.ended_at as endedAt', 'c.last_seq as lastSeq',
  'c.created_at as createdAt'] as const;

type ConversationRow = Awaited<ReturnType<typeof loadConversation>>;

async function loadConversation(ctx: Ctx, id: number, lock = false) {
  let q = ctx.db.selectFrom('chat_conversations as c').leftJoin('staff as s', 's.id', 'c.agent_id')
    .select([...conversationColumns, 's.name as agentName']).where('c.id', '=', id);
  if (lock) q = q.forUpdate('c');
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFound('Conversation', id);
  return row;
}

/** Tell every instance (and so every socket and workspace) after commit. */
export async function announce(ctx: Ctx, e: Extract<LiveEvent, { type: 'chat' }>) {
  await sql`SELECT pg_notify('kept_events', ${JSON.stringify(e)})`.execute(ctx.db);
}

async function appendMessage(ctx: Ctx, c: { id: number }, author: ChatAuthor, body: string, staffId: number | null = null) {
  const { last_seq: seq } = await ctx.db.updateTable('chat_conversations').set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: ctx.clock.now() }))
    .where('id', '=', c.id).returning('last_seq').executeTakeFirstOrThrow();
  const message = await ctx.db.insertInto('chat_messages')
    .values({ conversation_id: c.id, seq, author, staff_id: staffId, body, created_at: ctx.clock.now() })
    .returning(['seq', 'author', 'body', 'created_at as createdAt']).executeTakeFirstOrThrow();
  await announce(ctx, { type: 'chat', conversationId: c.id, kind: 'message', seq, author });
  return message;
}

// ---------------------------------------------------------------- visitors

/** A visitor opens the widget: a conversation and the random token that proves it is theirs. */
export async function startConversation(ctx: Ctx, input: { teamId?: number | null; language: ChatLanguage }) {
  const token = randomBytes(24).toString('base64url');
  const teamId = input.teamId ? (await ctx.db.selectFrom('teams').select('id').where('id', '=', input.teamId).executeTakeFirst())?.id ?? null : null;
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('chat_conversations').values({
    team_id: teamId, language: input.language, visitor_token_hash: hashToken(token), status: 'open', created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow();
  return { conversationId: row.id, visitorToken: token };
}

/**
 * The conversation a visitor token opens. A wrong token, or one for another conversation,
 * answers exactly like a conversation that does not exist: nothing is leaked.
 */
export async function visitorConversation(ctx: Ctx, id: number, token: string, lock = false) {
  let q = ctx.db.selectFrom('chat_conversations as c').leftJoin('staff as s', 's.id', 'c.agent_id')
    .select([...conversationColumns, 's.name as agentName']).where('c.id', '=', id).where('c.visitor_token_hash', '=', hashToken(token));
  if (lock) q = q.forUpdate('c');
  const row = await q.executeTakeFirst();
  if (!row) throw new NotFound('Conversation', id);
  return row;
}

/** What the visitor's widget shows: state, place and wait, and the messages after `afterSeq`. */
export async function visitorView(ctx: Ctx, id: number, token: string, afterSeq = 0) {
  const c = await visitorConversation(ctx, id, token);
  if (c.leftAt && c.status === 'queued') { // back within the grace: the place is still theirs
    await ctx.db.updateTable('chat_conversations').set({ left_at: null }).where('id', '=', id).execute();
    return viewOf(ctx, { ...c, leftAt: null }, afterSeq);
  }
  return viewOf(ctx, c, afterSeq);
}

async function viewOf(ctx: Ctx, c: ConversationRow, afterSeq: number) {
  const messages = await ctx.db.selectFrom('chat_messages').select(['seq', 'author', 'body', 'created_at as createdAt'])
    .where('conversation_id', '=', c.id).where('seq', '>', afterSeq).orderBy('seq').limit(500).execute();
  let position: number | null = null;
  let estimatedWaitSeconds: number | null = null;
  if (c.status === 'queued') {
    position = await queuePosition(ctx, c);
    estimatedWaitSeconds = estimateWaitSeconds(position, await staffingFor(ctx, c.teamId), await recentHandleSeconds(ctx));
  }
  return {
    conversationId: c.id, status: c.status, language: c.language, lastSeq: c.lastSeq, agentName: c.agentName,
    position, estimatedWaitSeconds, expectedAt: c.expectedAt, caseId: c.caseId, email: c.email, messages,
  };
}

export type VisitorView = Awaited<ReturnType<typeof viewOf>>;

/** At most MESSAGES_PER_MINUTE per conversation, counted in the database so it holds across instances. */
async function countAgainstFlood(ctx: Ctx, c: { id: number }) {
  const now = ctx.clock.now();
  const row = await ctx.db.selectFrom('chat_conversations').select(['rate_window_start', 'rate_count']).where('id', '=', c.id).executeTakeFirstOrThrow();
  const fresh = !row.rate_window_start || now.getTime() - row.rate_window_start.getTime() >= 60_000;
  if (!fresh && row.rate_count >= MESSAGES_PER_MINUTE) {
    const retry = Math.ceil((row.rate_window_start!.getTime() + 60_000 - now.getTime()) / 1000);
    throw new TooManyRequests(`At most ${MESSAGES_PER_MINUTE} messages a minute; wait ${retry} s`, retry);
  }
  await ctx.db.updateTable('chat_conversations')
    .set(fresh ? { rate_window_start: now, rate_count: 1 } : { rate_count: row.rate_count + 1 }).where('id', '=', c.id).execute();
}

/**
 * The hot path: one UPDATE takes the next sequence number, counts the message against the flood
 * limit and checks the token and state together; one statement stores the message and announces
 * it. Only a refused message pays for finding out why.
 */
export async function postVisitorMessage(ctx: Ctx, id: number, token: string, body: string) {
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const windowFrom = new Date(now.getTime() - 60_000);
    const fresh = sql<boolean>`(rate_window_start IS NULL OR rate_window_start <= ${windowFrom})`;
    const claimed = await tx.db.updateTable('chat_conversations')
      .set({
        last_seq: sql`last_seq + 1`,
        rate_window_start: sql`CASE WHEN ${fresh} THEN ${now}::timestamptz ELSE rate_window_start END`,
        rate_count: sql`CASE WHEN ${fresh} THEN 1 ELSE rate_count + 1 END`,
        left_at: null,
        updated_at: now,
      })
      .where('id', '=', id).where('visitor_token_hash', '=', hashToken(token))
      .where('status', 'not in', ['ended', 'abandoned'])
      .where(sql<boolean>`(${fresh} OR rate_count < ${MESSAGES_PER_MINUTE})`)
      .returning(['last_seq as seq', 'case_id as caseId'])
      .executeTakeFirst();
    if (!claimed) {
      const c = await visitorConversation(tx, id, token); // 404 for a wrong token, exactly as for no conversation
      if (c.status === 'ended' || c.status === 'abandoned') throw new Conflict('This chat has ended; start a new one');
      await countAgainstFlood(tx, c); // throws 429 with the seconds to wait
      throw new Conflict('The conversation changed; send again');
    }
    const event = JSON.stringify({ type: 'chat', conversationId: id, kind: 'message', seq: claimed.seq, author: 'visitor' });
    const { rows } = await sql<{ seq: number; author: ChatAuthor; body: string; createdAt: Date }>`
      WITH m AS (INSERT INTO chat_messages (conversation_id, seq, author, staff_id, body, created_at)
                 VALUES (${id}, ${claimed.seq}, 'visitor', NULL, ${body}, ${now}) RETURNING seq, author, body, created_at)
      SELECT m.seq, m.author, m.body, m.created_at AS "createdAt", pg_notify('kept_events', ${event}) FROM m`.execute(tx.db);
    const message = rows[0]!;
    if (claimed.caseId) await addMessage({ ...tx, actor: null }, claimed.caseId, 'inbound_message', { body, data: { chatSeq: message.seq } });
    return { seq: message.seq, author: message.author, body: message.body, createdAt: message.createdAt };
  });
}

export async function visitorTyping(ctx: Ctx, id: number, token: string) {
  const c = await visitorConversation(ctx, id, token);
  await announce(ctx, { type: 'chat', conversationId: c.id, kind: 'typing', author: 'visitor' });
}

/**
 * "Talk to a person": join the queue with an honest estimate, or, when nobody can answer within
 * the chat standard, become a case with the time a person will be there.
 */
export async function askForPerson(ctx: Ctx, id: number, token: string) {
  return inTransaction(ctx, async (tx) => {
    const c = await visitorConversation(tx, id, token, true);
    if (c.status !== 'open') return viewOf(tx, c, c.lastSeq); // already waiting or served: asking twice changes nothing
    const now = tx.clock.now();
    const cal = await businessCalendar(tx);
    const opensAt = addBusinessMinutes(cal, now, 0);
    const staffing = await staffingFor(tx, c.teamId);
    const ahead = await queuePosition(tx, { id: c.id, teamId: c.teamId, queuedAt: now });
    const estimate = estimateWaitSeconds(ahead + 1, staffing, await recentHandleSeconds(tx));
    const standard = await expectationFor(tx, { caseType: 'question', channel: 'chat', openedAt: now });
    const standardSeconds = standard ? (standard.firstResponseDueAt.getTime() - now.getTime()) / 1000 : Infinity;
    if (estimate === null || opensAt.getTime() > now.getTime() || estimate > standardSeconds) {
      await takeAsCase(tx, c, cal.timeZone);
    } else {
      await tx.db.updateTable('chat_conversations')
        .set({ status: 'queued', queued_at: now, estimated_wait_seconds: estimate, updated_at: now }).where('id', '=', id).execute();
      await announce(tx, { type: 'chat', conversationId: id, kind: 'queued' });
    }
    return viewOf(tx, await loadConversation(tx, id), c.lastSeq);
  });
}

async function chatCustomer(ctx: Ctx, c: { id: number; email: string | null; customerId: number | null }) {
  if (c.customerId) return c.customerId;
  const known = c.email ? await findCustomerByEmail(ctx, c.email) : null;
  const id = known ?? (await createCustomer({ ...ctx, actor: null }, { name: `Chat visitor ${c.id}`, emails: c.email ? [c.email] : [], preferredChannel: 'chat' })).id;
  await ctx.db.updateTable('chat_conversations').set({ customer_id: id }).where('id', '=', c.id).execute();
  return id;
}

/** The visitor's messages so far become the case's first timeline entries, in order. */
async function openChatCase(ctx: Ctx, c: ConversationRow, ownerId: number | null) {
  const customerId = await chatCustomer(ctx, c);
  const messages = await ctx.db.selectFrom('chat_messages').select(['seq', 'body']).where('conversation_id', '=', c.id).where('author', '=', 'visitor').orderBy('seq').execute();
  const first = messages[0]?.body ?? '';
  const subject = first ? (first.length > 80 ? `${first.slice(0, 77)}…` : first) : `Chat ${c.id}`;
  const opened = await openCase(ctx, { subject, customerId, channel: 'chat', teamId: c.teamId, ownerId });
  for (const m of messages) await addMessage({ ...ctx, actor: null }, opened.id, 'inbound_message', { body: m.body, data: { chatSeq: m.seq } });
  await ctx.db.updateTable('chat_conversations').set({ case_id: opened.id }).where('id', '=', c.id).execute();
  return opened;
}

async function takeAsCase(ctx: Ctx, c: ConversationRow, timeZone: string) {
  const now = ctx.clock.now();
  const opened = await openChatCase({ ...ctx, actor: null }, c, null);
  const expectedAt = opened.firstResponseDueAt ?? addBusinessMinutes(await businessCalendar(ctx), now, FALLBACK_RESPONSE_MINUTES);
  await ctx.db.updateTable('chat_conversations')
    .set({ status: 'waiting_as_case', expected_at: expectedAt, updated_at: now }).where('id', '=', c.id).execute();
  await appendMessage(ctx, c, 'system', say(c.language, 'asCase', { when: formatWhen(c.language, expectedAt, timeZone), case: `K-${opened.id}` }));
  await announce(ctx, { type: 'chat', conversationId: c.id, kind: 'as_case' });
}

/** The visitor closed the page while queued: their place is kept for a few minutes. */
export async function leaveQueue(ctx: Ctx, id: number, token: string) {
  return inTransaction(ctx, async (tx) => {
    const c = await visitorConversation(tx, id, token, true);
    if (c.status === 'queued') await tx.db.updateTable('chat_conversations').set({ left_at: tx.clock.now() }).where('id', '=', id).execute();
    return { status: c.status };
  });
}

/**
 * The visitor gives their email: the chat joins that customer's story (one customer, one
 * history), and a chat that was waiting continues by email.
 */
export async function giveEmail(ctx: Ctx, id: number, token: string, email: string) {
  return inTransaction(ctx, async (tx) => {
    const c = await visitorConversation(tx, id, token, true);
    const system = { ...tx, actor: null };
    await tx.db.updateTable('chat_conversations').set({ email, updated_at: tx.clock.now() }).where('id', '=', id).execute();
    if (c.customerId) {
      const known = await findCustomerByEmail(tx, email);
      if (known && known !== c.customerId) {
        await mergeCustomers(system, known, c.customerId); // the anonymous visitor was this customer all along
        await tx.db.updateTable('chat_conversations').set({ customer_id: known }).where('customer_id', '=', c.customerId).execute();
      } else if (!known) {
        await updateCustomer(system, c.customerId, { emails: [email] });
      }
    }
    await appendMessage(tx, c, 'system', say(c.language, 'email', { email }));
    return viewOf(tx, await loadConversation(tx, id), c.lastSeq);
  });
}

export async function endByVisitor(ctx: Ctx, id: number, token: string) {
  return inTransaction(ctx, async (tx) => {
    const c = await visitorConversation(tx, id, token, true);
    await endConversation(tx, c);
    return viewOf(tx, await loadConversation(tx, id), c.lastSeq);
  });
}

async function endConversation(ctx: Ctx, c: ConversationRow) {
  if (c.status === 'ended' || c.status === 'abandoned') return;
  const now = ctx.clock.now();
  const status: ConversationStatus = c.status === 'queued' ? 'abandoned' : c.status === 'waiting_as_case' ? 'waiting_as_case' : 'ended';
  await ctx.db.updateTable('chat_conversations').set({ status, ended_at: now, updated_at: now }).where('id', '=', c.id).execute();
  if (c.agentId) await freeAgent(ctx, c.agentId);
  await appendMessage(ctx, c, 'system', say(c.language, 'ended'));
  await announce(ctx, { type: 'chat', conversationId: c.id, kind: 'ended' });
}

/** An agent with no chat left is idle from now: routing offers the next chat to the longest idle. */
async function freeAgent(ctx: Ctx, staffId: number) {
  const left = await ctx.db.selectFrom('chat_conversations').select(sql<number>`count(*)::int`.as('n')).where('agent_id', '=', staffId).where('status', '=', 'active').executeTakeFirstOrThrow();
  if (left.n === 0) await ctx.db.updateTable('chat_presence').set({ idle_since: ctx.clock.now() }).where('staff_id', '=', staffId).execute();
}

/** Timer: a visitor who left the queue and did not come back within the grace has abandoned it. */
export async function abandonLeftChats(ctx: Ctx): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - LEAVE_GRACE_MS);
  const gone = await ctx.db.selectFrom('chat_conversations').select('id').where('status', '=', 'queued').where('left_at', '<=', cutoff).limit(100).execute();
  for (const { id } of gone) {
    await inTransaction(ctx, async (tx) => {
      const c = await loadConversation(tx, id, true);
      if (c.status !== 'queued' || !c.leftAt || c.leftAt > cutoff) return;
      // With an email they continue by email: the conversation becomes a case, nothing is lost.
      if (c.email) await takeAsCase(tx, c, (await businessCalendar(tx)).timeZone);
      else await endConversation(tx, c);
    });
  }
  return gone.length;
}

// ---------------------------------------------------------------- agents

export async function setPresence(ctx: Ctx, input: { status: Presence; capacity?: number }) {
  const me = requireCaseWorker(ctx);
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('chat_presence')
    .values({ staff_id: me.id, status: input.status, capacity: input.capacity ?? 3, idle_since: now, updated_at: now })
    .onConflict((oc) => oc.column('staff_id').doUpdateSet((eb) => ({
      status: input.status,
      capacity: input.capacity ?? eb.ref('chat_presence.capacity'),
      // Becoming available starts the idle clock; other changes keep it.
      idle_since: input.status === 'available' ? sql<Date>`CASE WHEN chat_presence.status = 'available' THEN chat_presence.idle_since ELSE ${now} END` : eb.ref('chat_presence.idle_since'),
      updated_at: now,
    })))
    .returning(['status', 'capacity', 'idle_since as idleSince']).executeTakeFirstOrThrow();
  await announce(ctx, { type: 'chat', conversationId: null, kind: 'presence' });
  return row;
}

export async function myPresence(ctx: Ctx) {
  const me = requireCaseWorker(ctx);
  const row = await ctx.db.selectFrom('chat_presence').select(['status', 'capacity', 'idle_since as idleSince']).where('staff_id', '=', me.id).executeTakeFirst();
  return row ?? { status: 'offline' as Presence, capacity: 3, idleSince: null };
}

/**
 * The agent's chat desk: chats waiting for their team (the head of the queue is offered to the
 * longest-idle available agent with free capacity), and their own live chats.
 */
export async function agentDesk(ctx: Ctx) {
  const me = requireCaseWorker(ctx);
  let waiting = ctx.db.selectFrom('chat_conversations as c').leftJoin('teams as t', 't.id', 'c.team_id')
    .select(['c.id', 'c.team_id as teamId', 't.name as teamName', 'c.queued_at as queuedAt', 'c.language', 'c.left_at as leftAt',
      sql<string | null>`(SELECT body FROM chat_messages m WHERE m.conversation_id = c.id AND m.author = 'visitor' ORDER BY seq DESC LIMIT 1)`.as('lastMessage')])
    .where('c.status', '=', 'queued');
  if (me.role === 'agent') waiting = waiting.where((eb) => eb.or([eb('c.team_id', 'is', null), eb('c.team_id', '=', me.teamId)]));
  const queue = await waiting.orderBy('c.queued_at').limit(100).execute();
  const offers = new Map<number | null, number | null>();
  for (const q of queue) {
    if (!offers.has(q.teamId)) {
      const s = await staffingFor(ctx, q.teamId);
      offers.set(q.teamId, s.agents.find((a) => a.active < a.capacity)?.staffId ?? null);
    }
  }
  const mine = await ctx.db.selectFrom('chat_conversations as c')
    .select(['c.id', 'c.case_id as caseId', 'c.accepted_at as acceptedAt', 'c.language', 'c.last_seq as lastSeq', 'c.email'])
    .where('c.agent_id', '=', me.id).where('c.status', '=', 'active').orderBy('c.accepted_at').execute();
  return {
    presence: await myPresence(ctx),
    waiting: queue.map((q, i) => ({ ...q, offeredToMe: offers.get(q.teamId) === me.id && queue.findIndex((x) => x.teamId === q.teamId) === i })),
    mine,
  };
}

/** Accept a waiting chat: the agent owns its case from now, and the visitor is told who they are talking to. */
export async function acceptChat(ctx: Ctx, id: number) {
  const me = requireCaseWorker(ctx);
  return inTransaction(ctx, async (tx) => {
    const c = await loadConversation(tx, id, true);
    if (c.status !== 'queued') throw new Conflict(c.status === 'active' ? `Chat ${id} was already accepted by ${c.agentName}` : `Chat ${id} is not waiting (${c.status})`);
    if (me.role === 'agent' && c.teamId && c.teamId !== me.teamId) throw new Forbidden('This chat waits for another team');
    const presence = await tx.db.selectFrom('chat_presence').select(['status', 'capacity']).where('staff_id', '=', me.id).executeTakeFirst();
    if (presence?.status !== 'available') throw new Conflict('Set yourself available for chats before accepting one');
    const active = await tx.db.selectFrom('chat_conversations').select(sql<number>`count(*)::int`.as('n')).where('agent_id', '=', me.id).where('status', '=', 'active').executeTakeFirstOrThrow();
    if (active.n >= presence.capacity) throw new Conflict(`You already have ${active.n} chats, your capacity; end one or raise it`);
    const now = tx.clock.now();
    const opened = await openChatCase(tx, c, me.id);
    await tx.db.updateTable('chat_conversations').set({ status: 'active', agent_id: me.id, accepted_at: now, left_at: null, updated_at: now }).where('id', '=', id).execute();
    await appendMessage(tx, c, 'system', say(c.language, 'joined', { name: me.name }));
    await announce(tx, { type: 'chat', conversationId: id, kind: 'accepted' });
    return { conversationId: id, caseId: opened.id };
  });
}

/** Only the chat's agent (its case's owner) speaks in it; a colleague takes over by hand-over. */
async function myLiveChat(ctx: Ctx, id: number) {
  const me = requireCaseWorker(ctx);
  const c = await loadConversation(ctx, id, true);
  if (c.status !== 'active') throw new Conflict(`Chat ${id} is not live (${c.status})`);
  if (c.agentId !== me.id) throw new Forbidden(`Only ${c.agentName ?? 'its agent'} speaks in chat ${id}; to take it over, ask for a hand-over`);
  return c;
}

export async function agentReply(ctx: Ctx, id: number, body: string) {
  return inTransaction(ctx, async (tx) => {
    const c = await myLiveChat(tx, id);
    const message = await appendMessage(tx, c, 'agent', body, tx.actor!.id);
    // The respect check runs here: a reply that would be refused on the case is refused in the chat.
    await addMessage(tx, c.caseId!, 'outbound_reply', { body, data: { chatSeq: message.seq } });
    return message;
  });
}

export async function agentTyping(ctx: Ctx, id: number) {
  const c = await loadConversation(ctx, id);
  if (c.agentId !== requireCaseWorker(ctx).id) throw new Forbidden('Only the chat\'s agent types in it');
  await announce(ctx, { type: 'chat', conversationId: id, kind: 'typing', author: 'agent' });
}

/**
 * Ending a chat may resolve its case too: the case.resolved event then brings the survey the
 * organisation sends after a resolution (by email, within the survey cooldown), as for any case.
 */
export async function endByAgent(ctx: Ctx, id: number, opts: { resolve?: boolean } = {}) {
  return inTransaction(ctx, async (tx) => {
    const c = await myLiveChat(tx, id);
    await endConversation(tx, c);
    if (opts.resolve && c.caseId) await updateCase(tx, c.caseId, { status: 'resolved' });
    return { conversationId: id, status: 'ended' as const };
  });
}

/** The agent's view of a chat they may read (anyone who reads cases). */
export async function agentView(ctx: Ctx, id: number, afterSeq = 0) {
  const c = await loadConversation(ctx, id);
  const messages = await ctx.db.selectFrom('chat_messages as m').leftJoin('staff as s', 's.id', 'm.staff_id')
    .select(['m.seq', 'm.author', 'm.body', 'm.created_at as createdAt', 's.name as staffName'])
    .where('m.conversation_id', '=', id).where('m.seq', '>', afterSeq).orderBy('m.seq').limit(1000).execute();
  return { ...c, messages };
}

/**
 * A hand-over of a chat's case was accepted: the new owner is the chat's agent from now, and the
 * visitor is told who is taking over (called by the subscriber on handover.accepted).
 */
export async function followHandover(ctx: Ctx, caseId: number, fromOwnerId: number | null, toOwnerId: number) {
  const chat = await ctx.db.selectFrom('chat_conversations').select('id').where('case_id', '=', caseId).where('status', '=', 'active').executeTakeFirst();
  if (!chat) return;
  const c = await loadConversation(ctx, chat.id, true);
  const [to, from] = await Promise.all([
    ctx.db.selectFrom('staff').select('name').where('id', '=', toOwnerId).executeTakeFirstOrThrow(),
    fromOwnerId ? ctx.db.selectFrom('staff').select('name').where('id', '=', fromOwnerId).executeTakeFirst() : undefined,
  ]);
  await ctx.db.updateTable('chat_conversations').set({ agent_id: toOwnerId, updated_at: ctx.clock.now() }).where('id', '=', c.id).execute();
  if (c.agentId) await freeAgent(ctx, c.agentId);
  await appendMessage(ctx, c, 'system', say(c.language, 'tookOver', { name: to.name, from: from?.name ?? c.agentName ?? '—' }));
  await announce(ctx, { type: 'chat', conversationId: c.id, kind: 'handed_over' });
}

/** The case of a chat, for screens that link to it. */
export async function chatCase(ctx: Ctx, id: number) {
  const c = await loadConversation(ctx, id);
  return c.caseId ? getCase(ctx, c.caseId) : null;
}

export async function listCannedAnswers(ctx: Ctx) {
  return ctx.db.selectFrom('chat_canned_answers').select(['id', 'title', 'body']).orderBy('title').limit(500).execute();
}

export async function createCannedAnswer(ctx: Ctx, input: { title: string; body: string }) {
  return ctx.db.insertInto('chat_canned_answers').values({ ...input, created_at: ctx.clock.now() }).returning(['id', 'title', 'body']).executeTakeFirstOrThrow();
}

export async function deleteCannedAnswer(ctx: Ctx, id: number) {
  const row = await ctx.db.deleteFrom('chat_canned_answers').where('id', '=', id).returning('id').executeTakeFirst();
  if (!row) throw new NotFound('Canned answer', id);
}

/** A reply written on the case screen goes to the chat as well (replies written in the chat are already there). */
export async function relayCaseReply(ctx: Ctx, p: { caseId: number; entryId: number; body: string; authorId: number | null }) {
  const entry = await ctx.db.selectFrom('case_entries').select('data').where('id', '=', p.entryId).executeTakeFirst();
  if (!entry || (entry.data as Record<string, unknown>).chatSeq !== undefined) return;
  const chat = await ctx.db.selectFrom('chat_conversations').select('id').where('case_id', '=', p.caseId)
    .where('status', 'in', ['active', 'waiting_as_case']).executeTakeFirst();
  if (chat) await appendMessage(ctx, chat, 'agent', p.body, p.authorId);
}

/** The chat's first-response standard in seconds (the service level counts answers within it); 60 s without one. */
export async function chatStandardSeconds(ctx: Ctx): Promise<number> {
  const row = await ctx.db.selectFrom('service_standards').select('first_response_minutes')
    .where((eb) => eb.or([eb('channel', '=', 'chat'), eb('channel', 'is', null)]))
    .orderBy(sql`(channel IS NOT NULL)`, 'desc').orderBy(sql`(case_type IS NULL)`, 'desc').limit(1).executeTakeFirst();
  return row ? row.first_response_minutes * 60 : 60;
}
