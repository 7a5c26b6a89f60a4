/**
 * Service failures announced by other features open recoveries: a complaint case, a broken
 * promise, a missed standard, an unhappy survey answer. A hand-over moves open recoveries to the
 * new owner, and the answer to the follow-up question is recorded on its recovery. Each source
 * opens at most one recovery (source + ref are unique), however often an event is seen.
 */
import type { Ctx } from '../core/context';
import type { Subscriber } from '../events';
import { openCase } from '../cases';
import { openRecovery, recordFollowUp } from './service';

type CaseFacts = { id: number; type: string; tags: string[] };
type CommitmentFacts = { id: number; caseId: number | null; ownerId: number | null };

interface SurveyAnswer {
  responseId: number; customerId: number; caseId: number | null; agentId: number | null; teamId: number | null;
  nps: number | null; stay: number | null; signal: string | null; followUpOfRecoveryId: number | null;
}

export const recoverySubscribers: Subscriber[] = [
  {
    name: 'recovery.complaints',
    types: ['case.opened', 'case.updated'],
    async handle(ctx, e) {
      const c = e.payload.case as CaseFacts;
      if (c.type === 'complaint' || c.tags.includes('complaint')) {
        await openRecovery(ctx, { caseId: c.id, source: 'complaint', sourceRef: `case:${c.id}` });
      }
    },
  },
  {
    name: 'recovery.broken-promises',
    types: ['commitment.broken', 'standard.missed'],
    async handle(ctx, e) {
      const c = e.payload.commitment as CommitmentFacts;
      if (!c.caseId) return;
      const source = e.type === 'standard.missed' ? 'missed_standard' : 'broken_commitment';
      await openRecovery(ctx, { caseId: c.caseId, source, sourceRef: `commitment:${c.id}`, ownerId: c.ownerId });
    },
  },
  {
    name: 'recovery.survey-answers',
    types: ['survey.answered'],
    async handle(ctx, e) {
      const a = e.payload as unknown as SurveyAnswer;
      if (a.signal) await closeTheLoop(ctx, a);
      if (a.followUpOfRecoveryId && a.stay !== null) {
        const r = await ctx.db.selectFrom('recoveries').select('follow_up_at').where('id', '=', a.followUpOfRecoveryId).executeTakeFirst();
        if (r && !r.follow_up_at) await recordFollowUp(ctx, a.followUpOfRecoveryId, { loyaltyAfter: a.stay, note: 'answered the follow-up survey' });
      }
    },
  },
  {
    name: 'recovery.follow-the-owner',
    types: ['handover.accepted'],
    async handle(ctx, e) {
      await ctx.db.updateTable('recoveries').set({ owner_id: e.payload.toOwnerId as number })
        .where('case_id', '=', e.caseId!).where('status', '=', 'open').execute();
    },
  },
];

/**
 * An unhappy answer opens a recovery case of its own, owned by the last case owner (else that
 * team's lead), on the 24-hour clock.
 */
async function closeTheLoop(ctx: Ctx, a: SurveyAnswer) {
  const sourceRef = `response:${a.responseId}`;
  const done = await ctx.db.selectFrom('recoveries').select('id').where('source', '=', 'detractor').where('source_ref', '=', sourceRef).executeTakeFirst();
  if (done) return;
  const last = a.caseId
    ? await ctx.db.selectFrom('cases').select(['owner_id', 'team_id']).where('id', '=', a.caseId).executeTakeFirst()
    : await ctx.db.selectFrom('cases').select(['owner_id', 'team_id']).where('customer_id', '=', a.customerId).orderBy('id', 'desc').executeTakeFirst();
  let ownerId = last?.owner_id ?? a.agentId;
  const ownerActive = ownerId ? await ctx.db.selectFrom('staff').select('active').where('id', '=', ownerId).executeTakeFirst() : null;
  const teamId = last?.team_id ?? a.teamId;
  if (!ownerActive?.active) {
    ownerId = teamId ? (await ctx.db.selectFrom('teams').select('lead_id').where('id', '=', teamId).executeTakeFirst())?.lead_id ?? null : null;
  }
  const recoveryCase = await openCase({ ...ctx, actor: null }, {
    subject: `Recovery: ${a.signal} in a survey answer`, customerId: a.customerId, channel: 'other', type: 'recovery', priority: 'high',
    ownerId, teamId, tags: ['survey-follow-up'], relatedCaseId: a.caseId,
  });
  await openRecovery(ctx, { caseId: recoveryCase.id, source: 'detractor', sourceRef, ownerId, note: `Survey answer: ${a.signal}`, loyaltyBefore: a.nps ?? a.stay });
}
