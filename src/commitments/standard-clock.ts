/**
 * The service standard as the organisation's promise. When a case opens, the expected first
 * response and resolution become two commitments with no personal owner. The clock stops while
 * the case waits on the customer: on resuming, the business time that was left is added to now.
 */
import type { Ctx } from '../core/context';
import { writeLater } from '../core/db/pipeline';
import { recordAudit } from '../audit';
import { addEntry } from '../timeline';
import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from '../standards';
import { publish } from '../events';
import { commitmentColumns, subjectsOf } from './service';

type StandardKind = 'first_response' | 'resolution';

export async function openStandardCommitments(
  ctx: Ctx,
  c: { id: number; customerId: number; teamId: number | null; openedAt: Date },
  due: { firstResponseDueAt: Date; resolutionDueAt: Date },
) {
  // An imported case (opened in the past) keeps its expected times, but a standard already past
  // due when it arrives is history, not a live promise: it would only raise a storm of breaches.
  const now = ctx.clock.now();
  const rows = [
    { kind: 'first_response' as const, text: 'First response within the service standard', due_at: due.firstResponseDueAt },
    { kind: 'resolution' as const, text: 'Resolution within the service standard', due_at: due.resolutionDueAt },
  ].filter((r) => r.due_at > now);
  if (!rows.length) return;
  // Nothing is read back: the rows go with the opening's next statement (core/db/pipeline).
  await writeLater(ctx.db, ctx.db
    .insertInto('commitments')
    .values(rows.map((r) => ({
      case_id: c.id, customer_id: c.customerId, kind: r.kind, text: r.text, owner_id: null, team_id: c.teamId,
      due_at: r.due_at, created_at: c.openedAt, created_by_id: ctx.actor?.id ?? null,
    }))));
}

/** Marks the standard met; returns whether it was met in time (false: it had already been missed). */
export async function meetStandard(ctx: Ctx, caseId: number, kind: StandardKind): Promise<boolean | null> {
  const now = ctx.clock.now();
  const row = await ctx.db
    .updateTable('commitments')
    .set({ status: 'kept', kept_at: now, paused_at: null })
    .where('case_id', '=', caseId)
    .where('kind', '=', kind)
    .where('status', 'in', ['open', 'renegotiated'])
    .returning(commitmentColumns)
    .executeTakeFirst();
  if (!row) return null;
  await addEntry(ctx, caseId, 'standard_met', { data: { commitmentId: row.id, standard: kind, dueAt: row.dueAt } });
  await recordAudit(ctx, 'commitment', row.id, 'keep', { status: 'open' }, { status: 'kept' });
  await publish(ctx, 'standard.met', subjectsOf(row), { standard: kind, commitment: row });
  return true;
}

export async function pauseStandardClock(ctx: Ctx, caseId: number) {
  await ctx.db
    .updateTable('commitments')
    .set({ paused_at: ctx.clock.now() })
    .where('case_id', '=', caseId)
    .where('kind', '<>', 'promise')
    .where('status', 'in', ['open', 'renegotiated'])
    .where('paused_at', 'is', null)
    .execute();
}

/** Returns the new due times so the case can show the customer's current expectation. */
export async function resumeStandardClock(ctx: Ctx, caseId: number, cal: BusinessCalendar) {
  const now = ctx.clock.now();
  const paused = await ctx.db
    .selectFrom('commitments')
    .select(['id', 'kind', 'due_at', 'paused_at'])
    .where('case_id', '=', caseId)
    .where('kind', '<>', 'promise')
    .where('status', 'in', ['open', 'renegotiated'])
    .where('paused_at', 'is not', null)
    .forNoKeyUpdate()
    .execute();
  const due: Partial<Record<StandardKind, Date>> = {};
  for (const c of paused) {
    const left = businessMinutesBetween(cal, c.paused_at!, c.due_at);
    const newDue = addBusinessMinutes(cal, now, left);
    await ctx.db.updateTable('commitments').set({ due_at: newDue, paused_at: null }).where('id', '=', c.id).execute();
    await recordAudit(ctx, 'commitment', c.id, 'resume_clock', { dueAt: c.due_at, pausedAt: c.paused_at }, { dueAt: newDue });
    due[c.kind as StandardKind] = newDue;
  }
  return due;
}
