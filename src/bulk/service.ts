/**
 * Bulk actions over cases picked in a list: take, offer to a colleague or a team, add a tag, set
 * the status. Each case goes through the same service call as the single-case route, in its own
 * transaction, so the same authority rule allows or refuses it and one refusal does not undo the
 * others; the answer says what happened to each. An offer stays an offer: the receiver accepts
 * each case (nothing is assigned here), and only unowned cases can be taken.
 */
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { requireCaseWorker } from '../core/authority';
import { DomainError, Invalid } from '../core/errors';
import { lockCase, takeCase, updateCase, type CaseStatus } from '../cases';
import { offerHandover } from '../handovers';

export type BulkAction =
  | { action: 'take' }
  | { action: 'offer'; toStaffId?: number; toTeamId?: number; note: string }
  | { action: 'tag'; tag: string }
  | { action: 'status'; status: Exclude<CaseStatus, 'new'> };

export interface BulkResult { caseId: number; ok: boolean; status: number; error?: string }

/** A receiver that does not exist is bad input for the whole request: refused before any case changes. */
async function checkReceiver(ctx: Ctx, a: Extract<BulkAction, { action: 'offer' }>) {
  if (!!a.toStaffId === !!a.toTeamId) throw new Invalid('body', 'one_receiver', 'Offer to exactly one of toStaffId or toTeamId');
  if (a.toStaffId) {
    const to = await ctx.db.selectFrom('staff').select(['active', 'role']).where('id', '=', a.toStaffId).executeTakeFirst();
    if (!to?.active || to.role === 'executive') throw new Invalid('body.toStaffId', 'exists', `Staff member ${a.toStaffId} cannot take cases`);
  } else {
    const team = await ctx.db.selectFrom('teams').select('id').where('id', '=', a.toTeamId!).executeTakeFirst();
    if (!team) throw new Invalid('body.toTeamId', 'exists', `Team ${a.toTeamId} does not exist`);
  }
}

async function one(ctx: Ctx, caseId: number, a: BulkAction): Promise<unknown> {
  switch (a.action) {
    case 'take': return takeCase(ctx, caseId);
    case 'offer': return offerHandover(ctx, caseId, { toStaffId: a.toStaffId, toTeamId: a.toTeamId, note: a.note });
    case 'status': return updateCase(ctx, caseId, { status: a.status });
    case 'tag': return inTransaction(ctx, async (tx) => {
      // Read under the case's lock so a tag added meanwhile by someone else is kept.
      const c = await lockCase(tx, caseId);
      return updateCase(tx, caseId, { tags: [...c.tags, a.tag] });
    });
  }
}

export async function bulkOnCases(ctx: Ctx, caseIds: number[], a: BulkAction): Promise<{ results: BulkResult[]; done: number; refused: number }> {
  requireCaseWorker(ctx);
  if (a.action === 'offer') await checkReceiver(ctx, a);
  const results: BulkResult[] = [];
  for (const caseId of [...new Set(caseIds)]) {
    try {
      await one(ctx, caseId, a);
      results.push({ caseId, ok: true, status: 200 });
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      results.push({ caseId, ok: false, status: e.status, error: e.message });
    }
  }
  const done = results.filter((r) => r.ok).length;
  return { results, done, refused: results.length - done };
}
