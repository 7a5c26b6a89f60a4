/**
 * How the organisation is set up: its name, time zone, business hours and holidays, the
 * departments (every department, not only customer service) and their teams.
 */
import { sql } from 'kysely';
import { IANAZone } from 'luxon';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Invalid, NotFound } from '../core/errors';
import { recordAudit, changedFields } from '../audit';
import type { BusinessHours } from './schema';
import type { BusinessCalendar } from '../standards/business-clock';

export interface OrganisationSettings {
  name: string;
  timeZone: string;
  businessHours: BusinessHours;
  handoverExpiryMinutes: number;
  commitmentWarningMinutes: number;
  /** Addresses the built-in SMTP receiver accepts mail for; empty: any address. */
  supportAddresses: string[];
  /** How soon a lead answers a request above someone's authority. */
  approvalResponseMinutes: number;
  /** Days after a recovery's fix to ask the customer whether their loyalty recovered. */
  recoveryFollowUpDays: number;
  /** No customer is surveyed more often than this, across all surveys. */
  surveyCooldownDays: number;
  /** The team whose queue receives inbound mail (routed to an owner if the team routes automatically). */
  inboundTeamId: number | null;
  /** How many days after resolution a customer may reopen their case from the portal. */
  portalReopenDays: number;
}

const DEFAULT_HOURS: BusinessHours = {
  mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']],
  thu: [['09:00', '17:00']], fri: [['09:00', '17:00']],
};

export async function getSettings(ctx: Ctx): Promise<OrganisationSettings> {
  const row = await ctx.db.selectFrom('organisation').selectAll().executeTakeFirst();
  if (!row) {
    return { name: 'Kept', timeZone: 'UTC', businessHours: DEFAULT_HOURS, handoverExpiryMinutes: 240, commitmentWarningMinutes: 60, supportAddresses: [], approvalResponseMinutes: 240, recoveryFollowUpDays: 3, surveyCooldownDays: 30, inboundTeamId: null, portalReopenDays: 14 };
  }
  return {
    name: row.name,
    timeZone: row.time_zone,
    businessHours: row.business_hours,
    handoverExpiryMinutes: row.handover_expiry_minutes,
    commitmentWarningMinutes: row.commitment_warning_minutes,
    supportAddresses: row.support_addresses,
    approvalResponseMinutes: row.approval_response_minutes,
    recoveryFollowUpDays: row.recovery_follow_up_days,
    surveyCooldownDays: row.survey_cooldown_days,
    inboundTeamId: row.inbound_team_id,
    portalReopenDays: row.portal_reopen_days,
  };
}

export async function updateSettings(ctx: Ctx, patch: Partial<OrganisationSettings>): Promise<OrganisationSettings> {
  if (patch.timeZone && !IANAZone.isValidZone(patch.timeZone)) {
    throw new Invalid('body.timeZone', 'time_zone', `"${patch.timeZone}" is not an IANA time zone such as Europe/London`);
  }
  return inTransaction(ctx, async (tx) => {
    if (patch.inboundTeamId) await getTeam(tx, patch.inboundTeamId).catch(() => {
      throw new Invalid('body.inboundTeamId', 'exists', `Team ${patch.inboundTeamId} does not exist`);
    });
    const before = await getSettings(tx);
    const after = { ...before, ...patch };
    const row = {
      name: after.name,
      time_zone: after.timeZone,
      business_hours: JSON.stringify(after.businessHours),
      handover_expiry_minutes: after.handoverExpiryMinutes,
      commitment_warning_minutes: after.commitmentWarningMinutes,
      support_addresses: after.supportAddresses.map((a) => a.toLowerCase()),
      approval_response_minutes: after.approvalResponseMinutes,
      recovery_follow_up_days: after.recoveryFollowUpDays,
      survey_cooldown_days: after.surveyCooldownDays,
      inbound_team_id: after.inboundTeamId,
      portal_reopen_days: after.portalReopenDays,
      updated_at: tx.clock.now(),
    };
    await tx.db
      .insertInto('organisation')
      .values({ id: 1, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet(row))
      .execute();
    const diff = changedFields(before, after);
    await recordAudit(tx, 'organisation', 1, 'update', diff.before, diff.after);
    return after;
  });
}

/** The calendar before the organisation has saved its settings: UTC, the default hours. */
export function defaultCalendar(holidays: string[]): BusinessCalendar {
  return { timeZone: 'UTC', hours: DEFAULT_HOURS, holidays: new Set(holidays) };
}

export async function businessCalendar(ctx: Ctx): Promise<BusinessCalendar> {
  const [settings, holidays] = await Promise.all([
    getSettings(ctx),
    ctx.db.selectFrom('holidays').select('day').execute(),
  ]);
  return { timeZone: settings.timeZone, hours: settings.businessHours, holidays: new Set(holidays.map((h) => h.day)) };
}

export async function listHolidays(ctx: Ctx) {
  return ctx.db.selectFrom('holidays').select(['day', 'name']).orderBy('day').execute();
}

export async function setHoliday(ctx: Ctx, day: string, name: string) {
  await ctx.db
    .insertInto('holidays')
    .values({ day, name })
    .onConflict((oc) => oc.column('day').doUpdateSet({ name }))
    .execute();
  return { day, name };
}

export async function removeHoliday(ctx: Ctx, day: string) {
  const res = await ctx.db.deleteFrom('holidays').where('day', '=', day).executeTakeFirst();
  if (!res.numDeletedRows) throw new NotFound('Holiday', day);
}

/** An empty PATCH changes nothing and answers with the record as it is (SQL has no empty SET). */
function nothingIn(patch: object): boolean {
  return Object.values(patch).every((v) => v === undefined);
}

const departmentColumns = ['id', 'name', 'description', 'serves_external_customers as servesExternalCustomers', 'created_at as createdAt'] as const;

export async function listDepartments(ctx: Ctx) {
  return ctx.db.selectFrom('departments').select(departmentColumns).orderBy('name').execute();
}

export async function createDepartment(ctx: Ctx, input: { name: string; description?: string | null; servesExternalCustomers?: boolean }) {
  const row = await ctx.db
    .insertInto('departments')
    .values({ name: input.name, description: input.description ?? null, serves_external_customers: input.servesExternalCustomers ?? true })
    .returning(departmentColumns)
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, 'department', row.id, 'create', null, row);
  return row;
}

export async function updateDepartment(ctx: Ctx, id: number, patch: { name?: string; description?: string | null; servesExternalCustomers?: boolean }) {
  if (nothingIn(patch)) {
    const same = await ctx.db.selectFrom('departments').select(departmentColumns).where('id', '=', id).executeTakeFirst();
    if (!same) throw new NotFound('Department', id);
    return same;
  }
  const row = await ctx.db
    .updateTable('departments')
    .set({ name: patch.name, description: patch.description, serves_external_customers: patch.servesExternalCustomers })
    .where('id', '=', id)
    .returning(departmentColumns)
    .executeTakeFirst();
  if (!row) throw new NotFound('Department', id);
  await recordAudit(ctx, 'department', id, 'update', null, patch);
  return row;
}

const teamColumns = ['teams.id', 'teams.name', 'teams.department_id as departmentId', 'teams.lead_id as leadId',
  'teams.auto_assign as autoAssign', 'teams.open_case_capacity as openCaseCapacity', 'teams.created_at as createdAt'] as const;

/** Routing: new unowned cases for the team go round robin to its available members, each under this many open cases. */
export interface TeamRouting { autoAssign?: boolean; openCaseCapacity?: number }

export async function listTeams(ctx: Ctx) {
  return ctx.db
    .selectFrom('teams')
    .select(teamColumns)
    .select(sql<number>`(SELECT count(*) FROM staff s WHERE s.team_id = teams.id AND s.active)`.as('memberCount'))
    .orderBy('teams.name')
    .execute();
}

export async function getTeam(ctx: Ctx, id: number) {
  const team = await ctx.db.selectFrom('teams').select(teamColumns).where('teams.id', '=', id).executeTakeFirst();
  if (!team) throw new NotFound('Team', id);
  return team;
}

export async function createTeam(ctx: Ctx, input: { name: string; departmentId?: number | null; leadId?: number | null } & TeamRouting) {
  const row = await ctx.db
    .insertInto('teams')
    .values({ name: input.name, department_id: input.departmentId ?? null, lead_id: input.leadId ?? null, auto_assign: input.autoAssign, open_case_capacity: input.openCaseCapacity })
    .returning(teamColumns)
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, 'team', row.id, 'create', null, row);
  return row;
}

export async function updateTeam(ctx: Ctx, id: number, patch: { name?: string; departmentId?: number | null; leadId?: number | null } & TeamRouting) {
  if (nothingIn(patch)) return getTeam(ctx, id);
  const row = await ctx.db
    .updateTable('teams')
    .set({ name: patch.name, department_id: patch.departmentId, lead_id: patch.leadId, auto_assign: patch.autoAssign, open_case_capacity: patch.openCaseCapacity })
    .where('id', '=', id)
    .returning(teamColumns)
    .executeTakeFirst();
  if (!row) throw new NotFound('Team', id);
  await recordAudit(ctx, 'team', id, 'update', null, patch);
  return row;
}
