/**
 * The team lead's dashboard: the backlog and how old it is, standards met and promises kept over
 * the last 30 days, cases opened by hour of day (the organisation's time zone) over the last 7
 * days, each person's load, and the hand-overs waiting for an answer. One team, or everyone.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { staffActor } from '../core/access';
import { DAY } from '../core/clock';
import { getSettings } from '../org';


export async function teamDashboard(ctx: Ctx, f: { teamId?: number }) {
  staffActor(ctx);
  const now = ctx.clock.now();
  const { timeZone } = await getSettings(ctx);
  const team = f.teamId ?? null;
  const since30 = new Date(now.getTime() - 30 * DAY);
  const since7 = new Date(now.getTime() - 7 * DAY);
  const inTeam = team === null ? sql<boolean>`true` : sql<boolean>`c.team_id = ${team}`;
  const [backlog, kept, volume, load, waiting] = await Promise.all([
    sql<{ open: string; unowned: string; d1: string; d3: string; d7: string; older: string; oldest: Date | null }>`
      SELECT count(*) AS open, count(*) FILTER (WHERE owner_id IS NULL) AS unowned,
        count(*) FILTER (WHERE opened_at > ${new Date(now.getTime() - DAY)}) AS d1,
        count(*) FILTER (WHERE opened_at <= ${new Date(now.getTime() - DAY)} AND opened_at > ${new Date(now.getTime() - 3 * DAY)}) AS d3,
        count(*) FILTER (WHERE opened_at <= ${new Date(now.getTime() - 3 * DAY)} AND opened_at > ${since7}) AS d7,
        count(*) FILTER (WHERE opened_at <= ${since7}) AS older, min(opened_at) AS oldest
      FROM cases c WHERE status IN ('new', 'open', 'waiting_on_customer', 'waiting_on_us') AND ${inTeam}`.execute(ctx.db),
    sql<{ kind: string; kept: string; broken: string }>`
      SELECT CASE WHEN m.kind = 'promise' THEN 'promise' ELSE 'standard' END AS kind,
        count(*) FILTER (WHERE m.status = 'kept') AS kept, count(*) FILTER (WHERE m.status = 'broken') AS broken
      FROM commitments m JOIN cases c ON c.id = m.case_id
      WHERE m.status IN ('kept', 'broken') AND coalesce(m.kept_at, m.broken_at) > ${since30} AND ${inTeam}
      GROUP BY 1`.execute(ctx.db),
    sql<{ hour: number; n: string }>`
      SELECT extract(hour FROM c.opened_at AT TIME ZONE ${timeZone})::int AS hour, count(*) AS n
      FROM cases c WHERE c.opened_at > ${since7} AND ${inTeam} GROUP BY 1`.execute(ctx.db),
    sql<{ id: number; name: string; available: boolean; open: string; late: string }>`
      SELECT s.id, s.name, s.available, count(c.id) AS open,
        count(c.id) FILTER (WHERE c.clock_paused_at IS NULL AND c.resolution_due_at < ${now}) AS late
      FROM staff s LEFT JOIN cases c ON c.owner_id = s.id AND c.status IN ('new', 'open', 'waiting_on_customer', 'waiting_on_us')
      WHERE s.active AND s.role <> 'executive' AND ${team === null ? sql<boolean>`true` : sql<boolean>`s.team_id = ${team}`}
      GROUP BY s.id ORDER BY count(c.id) DESC, s.name LIMIT 100`.execute(ctx.db),
    sql<{ id: number; caseId: number; subject: string; toName: string | null; teamName: string | null; offeredAt: Date; expiresAt: Date }>`
      SELECT h.id, h.case_id AS "caseId", c.subject, r.name AS "toName", t.name AS "teamName", h.offered_at AS "offeredAt", h.expires_at AS "expiresAt"
      FROM handovers h JOIN cases c ON c.id = h.case_id LEFT JOIN staff r ON r.id = h.to_staff_id LEFT JOIN teams t ON t.id = h.to_team_id
      WHERE h.status = 'pending' AND ${inTeam} ORDER BY h.offered_at LIMIT 50`.execute(ctx.db),
  ]);
  const b = backlog.rows[0]!;
  const rate = (kind: string) => {
    const r = kept.rows.find((x) => x.kind === kind);
    const k = Number(r?.kept ?? 0);
    const n = k + Number(r?.broken ?? 0);
    return { kept: k, total: n, rate: n ? k / n : null };
  };
  const byHour = Array.from({ length: 24 }, (_, h) => Number(volume.rows.find((r) => r.hour === h)?.n ?? 0));
  return {
    now,
    timeZone,
    backlog: { open: Number(b.open), unowned: Number(b.unowned), oldestOpenedAt: b.oldest, byAge: [
      { age: 'under 1 day', cases: Number(b.d1) }, { age: '1–3 days', cases: Number(b.d3) }, { age: '3–7 days', cases: Number(b.d7) }, { age: 'over 7 days', cases: Number(b.older) },
    ] },
    standardsMet: rate('standard'),
    promisesKept: rate('promise'),
    openedByHour: byHour,
    load: load.rows.map((r) => ({ id: r.id, name: r.name, available: r.available, openCases: Number(r.open), lateCases: Number(r.late) })),
    handoversWaiting: waiting.rows,
  };
}

