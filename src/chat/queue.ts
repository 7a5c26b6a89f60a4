/**
 * The queue's honest figures. A visitor's estimated wait comes from what is true now: the
 * agents available for the page's team, their free chat capacity, the chats queued ahead, and
 * how long chats have recently taken. The estimate told is stored with the conversation and
 * compared with the wait that then happened, so team leads see how honest the figure is.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';

/** Time for an agent with a free slot to notice and accept a chat (before any history exists). */
export const PICKUP_SECONDS = 30;
/** Handle time assumed until this organisation has finished chats of its own to learn from. */
export const DEFAULT_HANDLE_SECONDS = 300;
/** A visitor who closed the page keeps their place this long. */
export const LEAVE_GRACE_MS = 5 * 60_000;

export interface Staffing {
  /** Agents available for this team, with their load. */
  agents: { staffId: number; name: string; capacity: number; active: number; idleSince: Date }[];
  freeSlots: number;
  totalSlots: number;
}

/** Available agents of a team (any team when the page names none), their capacity and load. */
export async function staffingFor(ctx: Ctx, teamId: number | null): Promise<Staffing> {
  let q = ctx.db.selectFrom('chat_presence as p').innerJoin('staff as s', 's.id', 'p.staff_id')
    .select(['p.staff_id as staffId', 's.name', 'p.capacity', 'p.idle_since as idleSince',
      sql<number>`(SELECT count(*) FROM chat_conversations c WHERE c.agent_id = p.staff_id AND c.status = 'active')::int`.as('active')])
    .where('p.status', '=', 'available').where('s.active', '=', true);
  if (teamId) q = q.where('s.team_id', '=', teamId);
  const agents = await q.orderBy('p.idle_since').orderBy('p.staff_id').execute();
  return {
    agents,
    freeSlots: agents.reduce((n, a) => n + Math.max(0, a.capacity - a.active), 0),
    totalSlots: agents.reduce((n, a) => n + a.capacity, 0),
  };
}

/** Mean handle time (accepted → ended) of chats ended in the last 7 days; the default before any. */
export async function recentHandleSeconds(ctx: Ctx): Promise<number> {
  const since = new Date(ctx.clock.now().getTime() - 7 * 86_400_000);
  const row = await ctx.db.selectFrom('chat_conversations')
    .select(sql<number | null>`avg(extract(epoch FROM ended_at - accepted_at))::float8`.as('aht'))
    .where('ended_at', '>=', since).where('accepted_at', 'is not', null).executeTakeFirst();
  const aht = row?.aht;
  return aht && aht > 0 ? Math.round(aht) : DEFAULT_HANDLE_SECONDS;
}

/**
 * Expected wait for the chat at this position (1 = next). A free slot takes it at once (the
 * pickup time); beyond the free slots, each chat ahead waits for a slot to free, and with
 * `slots` agents-slots busy a slot frees on average every aht / slots seconds.
 * Null: nobody is there to answer.
 */
export function estimateWaitSeconds(position: number, staffing: Pick<Staffing, 'freeSlots' | 'totalSlots'>, ahtSeconds: number): number | null {
  if (staffing.totalSlots === 0) return null;
  if (position <= staffing.freeSlots) return PICKUP_SECONDS;
  const behind = position - staffing.freeSlots;
  return Math.round(PICKUP_SECONDS + (behind * ahtSeconds) / staffing.totalSlots);
}

/** 1-based place in the team's queue (a visitor who stepped away keeps theirs during the grace). */
export async function queuePosition(ctx: Ctx, c: { id: number; teamId: number | null; queuedAt: Date | null }): Promise<number> {
  if (!c.queuedAt) return 0;
  let q = ctx.db.selectFrom('chat_conversations').select(sql<number>`count(*)::int`.as('n'))
    .where('status', '=', 'queued')
    .where((eb) => eb.or([eb('queued_at', '<', c.queuedAt!), eb.and([eb('queued_at', '=', c.queuedAt!), eb('id', '<=', c.id)])]));
  q = c.teamId ? q.where('team_id', '=', c.teamId) : q.where('team_id', 'is', null);
  return (await q.executeTakeFirstOrThrow()).n;
}

/** Live-queue figures for team leads, today in the organisation's terms (UTC day for now). */
export async function liveQueueFigures(ctx: Ctx, opts: { standardSeconds: number }) {
  const now = ctx.clock.now();
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const waiting = await ctx.db.selectFrom('chat_conversations as c').leftJoin('teams as t', 't.id', 'c.team_id')
    .select(['c.id', 'c.team_id as teamId', 't.name as teamName', 'c.queued_at as queuedAt', 'c.estimated_wait_seconds as estimatedWaitSeconds', 'c.left_at as leftAt'])
    .where('c.status', '=', 'queued').orderBy('c.queued_at').execute();
  const agents = await ctx.db.selectFrom('chat_presence as p').innerJoin('staff as s', 's.id', 'p.staff_id')
    .select(['p.staff_id as staffId', 's.name', 's.team_id as teamId', 'p.status', 'p.capacity', 'p.idle_since as idleSince',
      sql<number>`(SELECT count(*) FROM chat_conversations c WHERE c.agent_id = p.staff_id AND c.status = 'active')::int`.as('active')])
    .where('p.status', '<>', 'offline').where('s.active', '=', true).orderBy('s.name').execute();
  const today = await ctx.db.selectFrom('chat_conversations').select([
    sql<number>`count(*) FILTER (WHERE accepted_at IS NOT NULL)::int`.as('answered'),
    sql<number>`count(*) FILTER (WHERE accepted_at IS NOT NULL AND accepted_at - queued_at <= make_interval(secs => ${opts.standardSeconds}))::int`.as('withinStandard'),
    sql<number>`count(*) FILTER (WHERE status = 'abandoned')::int`.as('abandoned'),
    sql<number>`count(*) FILTER (WHERE status = 'waiting_as_case')::int`.as('takenAsCases'),
    sql<number | null>`avg(abs(extract(epoch FROM accepted_at - queued_at) - estimated_wait_seconds)) FILTER (WHERE accepted_at IS NOT NULL AND estimated_wait_seconds IS NOT NULL)::float8`.as('meanAbsoluteErrorSeconds'),
    sql<number | null>`avg(extract(epoch FROM accepted_at - queued_at) - estimated_wait_seconds) FILTER (WHERE accepted_at IS NOT NULL AND estimated_wait_seconds IS NOT NULL)::float8`.as('meanErrorSeconds'),
    sql<number>`count(*) FILTER (WHERE accepted_at IS NOT NULL AND estimated_wait_seconds IS NOT NULL AND abs(extract(epoch FROM accepted_at - queued_at) - estimated_wait_seconds) <= greatest(60, estimated_wait_seconds * 0.5))::int`.as('estimatesClose'),
    sql<number>`count(*) FILTER (WHERE accepted_at IS NOT NULL AND estimated_wait_seconds IS NOT NULL)::int`.as('estimatesMeasured'),
  ]).where('queued_at', '>=', dayStart).executeTakeFirstOrThrow();
  const longest = waiting[0]?.queuedAt ? Math.round((now.getTime() - waiting[0].queuedAt.getTime()) / 1000) : 0;
  return {
    at: now,
    waitingNow: waiting.length,
    longestWaitSeconds: longest,
    waiting: waiting.map((w) => ({ ...w, waitedSeconds: Math.round((now.getTime() - w.queuedAt!.getTime()) / 1000) })),
    agents,
    today: {
      ...today,
      standardSeconds: opts.standardSeconds,
      serviceLevel: today.answered ? today.withinStandard / today.answered : null,
      estimateAccuracy: today.estimatesMeasured ? today.estimatesClose / today.estimatesMeasured : null,
    },
  };
}
