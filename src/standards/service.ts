/**
 * Service standards: per case type and channel, how soon the customer gets a first response
 * and a resolution, in business time. The most specific standard wins: type and channel,
 * then type, then channel, then the default (neither).
 */
import type { Ctx } from '../core/context';
import { NotFound } from '../core/errors';
import { recordAudit } from '../audit';
import { businessCalendar } from '../org';
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

export async function standardFor(ctx: Ctx, caseType: string, channel: string) {
  const candidates = await ctx.db
    .selectFrom('service_standards')
    .select(columns)
    .where((eb) => eb.or([eb('case_type', '=', caseType), eb('case_type', 'is', null)]))
    .where((eb) => eb.or([eb('channel', '=', channel), eb('channel', 'is', null)]))
    .execute();
  const specificity = (s: { caseType: string | null; channel: string | null }) => (s.caseType ? 2 : 0) + (s.channel ? 1 : 0);
  return candidates.sort((a, b) => specificity(b) - specificity(a))[0] ?? null;
}

/** What the customer is told when a case opens; null when no standard applies. */
export async function expectationFor(
  ctx: Ctx,
  input: { caseType: string; channel: string; openedAt: Date },
  calendar?: BusinessCalendar,
): Promise<Expectation | null> {
  const standard = await standardFor(ctx, input.caseType, input.channel);
  if (!standard) return null;
  const cal = calendar ?? (await businessCalendar(ctx));
  return {
    standardId: standard.id,
    firstResponseDueAt: addBusinessMinutes(cal, input.openedAt, standard.firstResponseMinutes),
    resolutionDueAt: addBusinessMinutes(cal, input.openedAt, standard.resolutionMinutes),
  };
}
