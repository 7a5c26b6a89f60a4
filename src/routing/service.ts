/**
 * Routing: who should own a new case nobody owns yet. One owner from the start is the promise
 * the acknowledgement makes, so a team may route its queue automatically:
 *
 * - only teams with auto-assign on are routed; a case for another team waits in its queue;
 * - round robin among the team's active, available members (never executives), starting after
 *   the member who got the last case;
 * - nobody is given more open cases than their capacity (their own, else the team's);
 * - inbound mail, which names no team, goes to the organisation's default inbound team.
 *
 * If nobody can take it, the answer is "nobody": the case waits unowned in the team queue. The
 * team row is locked while choosing (FOR NO KEY UPDATE: it still lets others insert rows that
 * reference the team), so two cases arriving together never both take the last free slot or
 * the same turn. Routing only answers the question; the cases service records the
 * owner and the timeline entry.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';

export interface RoutingChoice {
  staffId: number;
  staffName: string;
  teamId: number;
  teamName: string;
}

export interface RoutingAnswer {
  teamId: number;
  teamName: string;
  /** Null: nobody is available under capacity, or the team does not route automatically. */
  choice: RoutingChoice | null;
  reason: string;
}

/** The team whose queue receives cases nobody on staff opened (inbound email). */
export async function inboundTeam(ctx: Ctx): Promise<number | null> {
  const row = await ctx.db.selectFrom('organisation').select('inbound_team_id').executeTakeFirst();
  return row?.inbound_team_id ?? null;
}

const OPEN = ['new', 'open', 'waiting_on_customer', 'waiting_on_us'] as const;

/** Who should own a new case for this team, and moves the team's round-robin turn if someone. */
export async function chooseOwner(ctx: Ctx, teamId: number): Promise<RoutingAnswer | null> {
  const team = await ctx.db.selectFrom('teams').select(['id', 'name', 'auto_assign', 'open_case_capacity', 'last_routed_staff_id'])
    .where('id', '=', teamId).forNoKeyUpdate().executeTakeFirst();
  if (!team) return null;
  if (!team.auto_assign) return { teamId, teamName: team.name, choice: null, reason: 'the team does not route its queue automatically' };
  const members = await ctx.db
    .selectFrom('staff')
    .select(['staff.id', 'staff.name', sql<number>`coalesce(staff.open_case_capacity, ${team.open_case_capacity})`.as('capacity'),
      sql<number>`(SELECT count(*) FROM cases WHERE cases.owner_id = staff.id AND cases.status IN (${sql.join(OPEN.map((s) => sql.lit(s)))}))::int`.as('open')])
    .where('staff.team_id', '=', teamId).where('staff.active', '=', true).where('staff.available', '=', true)
    .where('staff.role', '<>', 'executive')
    .orderBy('staff.id')
    .execute();
  const free = members.filter((m) => m.open < m.capacity);
  if (!free.length) {
    const reason = members.length ? 'everyone available in the team is at capacity' : 'nobody in the team is available';
    return { teamId, teamName: team.name, choice: null, reason };
  }
  const next = free.find((m) => team.last_routed_staff_id !== null && m.id > team.last_routed_staff_id) ?? free[0]!;
  await ctx.db.updateTable('teams').set({ last_routed_staff_id: next.id }).where('id', '=', teamId).execute();
  return { teamId, teamName: team.name, choice: { staffId: next.id, staffName: next.name, teamId, teamName: team.name }, reason: 'round robin by team rule' };
}
