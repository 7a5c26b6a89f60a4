/**
 * The staffing plan: for every hour of the week, the agents Erlang C says are needed to meet the
 * target (e.g. 80 % answered within 20 s), fed by what was measured over the last weeks: chats
 * that asked for a person (and how long accepted chats took) and inbound phone calls logged on
 * cases (with their duration). Shown next to the agents online now.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { getSettings } from '../org';
import { agentsNeeded } from './erlang-c';

export interface PlanInput { weeks: number; targetSeconds: number; targetLevel: number; shrinkage: number }

const DEFAULT_AHT = { chat: 300, phone: 240 };

export async function staffingPlan(ctx: Ctx, input: PlanInput) {
  const now = ctx.clock.now();
  const since = new Date(now.getTime() - input.weeks * 7 * 86_400_000);
  const { timeZone } = await getSettings(ctx);
  const chats = await sql<{ dow: number; hour: number; n: number; aht: number | null }>`
    SELECT extract(isodow FROM queued_at AT TIME ZONE ${timeZone})::int AS dow, extract(hour FROM queued_at AT TIME ZONE ${timeZone})::int AS hour,
           count(*)::int AS n, avg(extract(epoch FROM ended_at - accepted_at)) FILTER (WHERE ended_at IS NOT NULL AND accepted_at IS NOT NULL)::float8 AS aht
    FROM chat_conversations WHERE queued_at >= ${since} AND queued_at < ${now} GROUP BY 1, 2`.execute(ctx.db);
  const calls = await sql<{ dow: number; hour: number; n: number; aht: number | null }>`
    SELECT extract(isodow FROM created_at AT TIME ZONE ${timeZone})::int AS dow, extract(hour FROM created_at AT TIME ZONE ${timeZone})::int AS hour,
           count(*)::int AS n, avg((data->>'durationSeconds')::float8) AS aht
    FROM case_entries WHERE kind = 'phone_call' AND coalesce(data->>'direction', 'inbound') = 'inbound'
      AND created_at >= ${since} AND created_at < ${now} GROUP BY 1, 2`.execute(ctx.db);
  const overall = (rows: { n: number; aht: number | null }[], fallback: number) => {
    const measured = rows.filter((r) => r.aht !== null);
    const n = measured.reduce((s, r) => s + r.n, 0);
    return n ? measured.reduce((s, r) => s + r.n * r.aht!, 0) / n : fallback;
  };
  const chatAht = overall(chats.rows, DEFAULT_AHT.chat);
  const phoneAht = overall(calls.rows, DEFAULT_AHT.phone);
  const key = (dow: number, hour: number) => `${dow}:${hour}`;
  const chatBy = new Map(chats.rows.map((r) => [key(r.dow, r.hour), r]));
  const callBy = new Map(calls.rows.map((r) => [key(r.dow, r.hour), r]));
  const online = await ctx.db.selectFrom('chat_presence').select(sql<number>`count(*)::int`.as('n')).where('status', 'in', ['available', 'busy']).executeTakeFirstOrThrow();
  const hours = [];
  for (let dow = 1; dow <= 7; dow++) {
    for (let hour = 0; hour < 24; hour++) {
      const chat = chatBy.get(key(dow, hour));
      const call = callBy.get(key(dow, hour));
      const chatArrivals = (chat?.n ?? 0) / input.weeks;
      const phoneArrivals = (call?.n ?? 0) / input.weeks;
      const arrivalsPerHour = chatArrivals + phoneArrivals;
      // One queue served by the same people: the handle time is the arrivals-weighted mean.
      const ahtSeconds = arrivalsPerHour ? (chatArrivals * (chat?.aht ?? chatAht) + phoneArrivals * (call?.aht ?? phoneAht)) / arrivalsPerHour : chatAht;
      const f = agentsNeeded({ arrivalsPerHour, ahtSeconds, targetSeconds: input.targetSeconds, targetLevel: input.targetLevel, shrinkage: input.shrinkage });
      hours.push({ dayOfWeek: dow, hour, chatArrivals, phoneArrivals, ahtSeconds: Math.round(ahtSeconds), agents: f.agents, scheduledAgents: f.scheduledAgents, serviceLevel: f.serviceLevel });
    }
  }
  return { from: since, to: now, timeZone, ...input, chatAhtSeconds: Math.round(chatAht), phoneAhtSeconds: Math.round(phoneAht), agentsOnlineNow: online.n, hours };
}
