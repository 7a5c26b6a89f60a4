/**
 * Service standards: per case type and channel, how soon the customer gets a first response
 * and a resolution, in business time. The most specific standard wins: type and channel,
 * then type, then channel, then the default (neither).
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import type { BusinessHours } from '../org';
import { NotFound } from '../core/errors';
import { recordAudit } from '../audit';
import { defaultCalendar } from '../org';
import { addBusinessMinutes, type BusinessCalendar } from './business-clock';

const columns = ['id', 'case_type as caseType', 'channel', 'first_response_minutes as firstResponseMinutes', 'resolution_minutes as resolutionMinutes'] as const;

export interface StandardInput {
  caseType?: string | null;
  channel?: string | null;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

export interface Expectation {
  standardId: number;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
}

export async function listStandards(ctx: Ctx) {
  return ctx.db.selectFrom('service_standards').select(columns).orderBy('id').execute();
}

export async function createStandard(ctx: Ctx, input: StandardInput) {
  const row = await ctx.db
    .insertInto('service_standards')
    .values({
      case_type: input.caseType ?? null,
      channel: input.channel ?? null,
      first_response_minutes: input.firstResponseMinutes,
      resolution_minutes: input.resolutionMinutes,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, 'standard', row.id, 'create', null, row);
  return row;
}

export async function updateStandard(ctx: Ctx, id: number, patch: Partial<StandardInput>) {
  const before = await ctx.db.selectFrom('service_standards').select(columns).where('id', '=', id).executeTakeFirst();
  if (!before) throw new NotFound('Service standard', id);
  const row = await ctx.db
    .updateTable('service_standards')
    .set({
      case_type: patch.caseType,
      channel: patch.channel,
      first_response_minutes: patch.firstResponseMinutes,
      resolution_minutes: patch.resolutionMinutes,
    })
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, 'standard', id, 'update', before, row);
  return row;
}

export async function deleteStandard(ctx: Ctx, id: number) {
  const row = await ctx.db.deleteFrom('service_standards').where('id', '=', id).returning(columns).executeTakeFirst();
  if (!row) throw new NotFound('Service standard', id);
  await recordAudit(ctx, 'standard', id, 'delete', row, null);
}

/**
 * What the customer is told when a case opens; null when no standard applies. The standard,
 * the organisation's hours and its holidays come back in one round trip: this runs on every
 * new case.
 */
export async function expectationFor(
  ctx: Ctx,
  input: { caseType: string; channel: string; openedAt: Date },
): Promise<Expectation | null> {
  const { rows } = await sql<{ id: number; first_response_minutes: number; resolution_minutes: number; time_zone: string | null; business_hours: BusinessHours | null; holidays: string[] }>`
    SELECT s.id, s.first_response_minutes, s.resolution_minutes, o.time_zone, o.business_hours,
           array(SELECT day::text FROM holidays) AS holidays
    FROM service_standards s
    LEFT JOIN organisation o ON o.id = 1
    WHERE (s.case_type = ${input.caseType} OR s.case_type IS NULL)
      AND (s.channel = ${input.channel} OR s.channel IS NULL)
    ORDER BY (s.case_type IS NOT NULL) DESC, (s.channel IS NOT NULL) DESC
    LIMIT 1`.execute(ctx.db);
  const standard = rows[0];
  if (!standard) return null;
  const cal: BusinessCalendar = standard.time_zone
    ? { timeZone: standard.time_zone, hours: standard.business_hours!, holidays: new Set(standard.holidays) }
    : defaultCalendar(standard.holidays); // no organisation row yet: the defaults (the holidays came with the standard)
  return {
    standardId: standard.id,
    firstResponseDueAt: addBusinessMinutes(cal, input.openedAt, standard.first_response_minutes),
    resolutionDueAt: addBusinessMinutes(cal, input.openedAt, standard.resolution_minutes),
  };
}
