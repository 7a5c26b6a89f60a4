/**
 * Who may change a case. The rule is written once here and every service that writes to a case
 * (its status and fields, replies, promises, recovery, decisions, hand-over offers) calls it, so
 * no entrance (API, CLI, a future integration) can go round it.
 *
 * - The owner, the lead of the case's team (or of the owner's team), managers and admins may
 *   change a case and everything on it.
 * - An unowned case waiting in a team queue belongs to the team: its members may triage it.
 *   An unowned case with no team may be triaged by anyone who works cases.
 * - Everyone else who works cases may still add an internal note, log a phone call (the call
 *   happened: it belongs on the customer's one story whoever picked up the phone), record a
 *   message the customer sent, open a recovery ("this was our OOPS"), take an unowned case, and
 *   offer help (a note), but not reply, close, promise, renegotiate, decide or hand the case on.
 * - Executives read everything and never write to cases.
 *
 * Lives in core, not in cases, because commitments, recovery, decisions and hand-overs all ask
 * it and cases itself depends on several of them.
 */
import type { Actor, Ctx } from './context';
import { staffActor } from './access';
import { Forbidden, NotFound } from './errors';

export interface CaseAuthority {
  caseId: number;
  ownerId: number | null;
  ownerName: string | null;
  teamId: number | null;
  /** Leads of the case's team and of the owner's team. */
  leadIds: number[];
}

async function authorityFacts(ctx: Ctx, caseId: number): Promise<CaseAuthority> {
  const row = await ctx.db
    .selectFrom('cases')
    .leftJoin('staff as owner', 'owner.id', 'cases.owner_id')
    .leftJoin('teams as case_team', 'case_team.id', 'cases.team_id')
    .leftJoin('teams as owner_team', 'owner_team.id', 'owner.team_id')
    .select(['cases.id', 'cases.owner_id', 'cases.team_id', 'owner.name as owner_name', 'case_team.lead_id as case_lead', 'owner_team.lead_id as owner_lead'])
    .where('cases.id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw new NotFound('Case', caseId);
  return {
    caseId: row.id,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    teamId: row.team_id,
    leadIds: [row.case_lead, row.owner_lead].filter((x): x is number => x !== null),
  };
}

/** Executives never write to cases, whatever the route let through. */
export function requireCaseWorker(ctx: Ctx): Actor {
  const me = staffActor(ctx);
  if (me.role === 'executive') throw new Forbidden('Executives read cases but never change them');
  return me;
}

/**
 * What belongs to a team as a whole (its macros, its saved views) is kept by the team's lead, and
 * by managers and admins for any team. `things` names them in the refusal.
 */
export async function requireTeamKeeper(ctx: Ctx, teamId: number, things: string): Promise<Actor> {
  const me = requireCaseWorker(ctx);
  const team = await ctx.db.selectFrom('teams').select('lead_id').where('id', '=', teamId).executeTakeFirst();
  if (!team) throw new NotFound('Team', teamId);
  if (me.role === 'manager' || me.role === 'admin' || team.lead_id === me.id) return me;
  throw new Forbidden(`A team's ${things} are kept by its lead, managers and admins`);
}

function mayChange(me: Actor, facts: CaseAuthority, alsoStaffId: number | null | undefined): boolean {
  if (me.role === 'executive') return false;
  if (me.role === 'manager' || me.role === 'admin') return true;
  if (facts.leadIds.includes(me.id)) return true;
  if (alsoStaffId && alsoStaffId === me.id) return true;
  if (facts.ownerId) return facts.ownerId === me.id;
  return facts.teamId === null || facts.teamId === me.teamId;
}

/** True when the acting staff member may change this case (see the rule above). */
export async function mayChangeCase(ctx: Ctx, caseId: number): Promise<boolean> {
  if (!ctx.actor) return false;
  return mayChange(ctx.actor, await authorityFacts(ctx, caseId), null);
}

/**
 * Throws Forbidden, saying who may, unless the actor may change the case. `alsoStaffId` names one
 * more person allowed for this thing (the owner of a promise or of a recovery on the case).
 */
export async function requireCaseAuthority(
  ctx: Ctx,
  caseId: number,
  doing: string,
  also?: { staffId: number | null | undefined; who: string },
): Promise<Actor> {
  const me = requireCaseWorker(ctx);
  const facts = await authorityFacts(ctx, caseId);
  if (mayChange(me, facts, also?.staffId)) return me;
  const owner = facts.ownerId ? `its owner (${facts.ownerName ?? `staff member ${facts.ownerId}`})` : `a member of its team`;
  const extra = also?.staffId ? `, ${also.who}` : '';
  throw new Forbidden(`Only ${owner}${extra}, the lead of the case's team, a manager or an admin may ${doing} on case ${caseId}`);
}
