/**
 * The commitment timers: warnings before due and breaches at due. The due columns are the
 * timers; each sweep claims rows with FOR UPDATE SKIP LOCKED and changes their status in the
 * same transaction, so a breach fires once across instances and still fires after downtime.
 */
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { recordAudit } from '../audit';
import { addEntry } from '../timeline';
import { notify } from '../notifications';
import { publish } from '../events';
import { commitmentColumns, subjectsOf } from './service';

const BATCH = 100;

export async function breakOverdueCommitments(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const now = tx.clock.now();
    const due = await tx.db
      .selectFrom('commitments')
      .select(commitmentColumns)
      .where('status', 'in', ['open', 'renegotiated'])
      .where('paused_at', 'is', null)
      .where('due_at', '<=', now)
      .orderBy('due_at')
      .limit(BATCH)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    for (const c of due) {
      await tx.db.updateTable('commitments').set({ status: 'broken', broken_at: now }).where('id', '=', c.id).execute();
      await recordAudit(tx, 'commitment', c.id, 'break', { status: c.status }, { status: 'broken' });
      const isStandard = c.kind !== 'promise';
      // A broken promise or a missed standard is a service failure: recovery reacts to this event.
      await publish(tx, isStandard ? 'standard.missed' : 'commitment.broken', subjectsOf(c), { commitment: { ...c, status: 'broken', brokenAt: now } });
      if (!c.caseId) {
        // An internal promise (a loyalty-input action) is broken in front of its owner too.
        if (c.ownerId) await notify(tx, c.ownerId, 'commitment_broken', `A promise was broken: ${c.text}`, null);
        continue;
      }
      await addEntry(tx, c.caseId, isStandard ? 'standard_missed' : 'commitment_broken', {
        authorId: null,
        body: c.text,
        data: { commitmentId: c.id, kind: c.kind, dueAt: c.dueAt },
      });
      const alertId = c.ownerId ?? (await caseOwner(tx, c.caseId));
      if (alertId) {
        await notify(tx, alertId, isStandard ? 'standard_missed' : 'commitment_broken',
          isStandard ? `The service standard was missed on case ${c.caseId}` : `A promise was broken: ${c.text}`, c.caseId);
      }
    }
    return due.length;
  });
}

export async function warnOfDueCommitments(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const now = tx.clock.now();
    const due = await tx.db
      .selectFrom('commitments')
      .select(commitmentColumns)
      .where('status', 'in', ['open', 'renegotiated'])
      .where('warned_at', 'is', null)
      .where('warn_at', '<=', now)
      .where('due_at', '>', now)
      .orderBy('warn_at')
      .limit(BATCH)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    for (const c of due) {
      await tx.db.updateTable('commitments').set({ warned_at: now }).where('id', '=', c.id).execute();
      if (c.ownerId) {
        await notify(tx, c.ownerId, 'commitment_due_soon', `Promise due ${c.dueAt.toISOString()}: ${c.text}`, c.caseId);
        if (c.caseId) await addEntry(tx, c.caseId, 'commitment_warning', { authorId: null, data: { commitmentId: c.id, dueAt: c.dueAt } });
      }
    }
    return due.length;
  });
}

async function caseOwner(ctx: Ctx, caseId: number): Promise<number | null> {
  const row = await ctx.db.selectFrom('cases').select('owner_id').where('id', '=', caseId).executeTakeFirst();
  return row?.owner_id ?? null;
}
