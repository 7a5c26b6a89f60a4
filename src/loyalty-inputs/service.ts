/**
 * The seven loyalty inputs: what leaders are accountable for, measured so that it leads to
 * action. Each quarter several leaders rate each input where we are and where we want to be on a
 * 1–5 scale with a written description of each level; the spread of their ratings is shown,
 * not hidden in an average. Each input has one accountable leader, and each action is a promise
 * (a commitment without a case) with an owner and a due date: it warns before it falls due and
 * breaks when missed, like any promise, counting against its owner's promise-kept rate.
 */
import { DateTime } from 'luxon';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { Invalid, NotFound } from '../core/errors';
import { staffActor } from '../core/access';
import { getSettings } from '../org';
import { makeCommitment } from '../commitments';

export const INPUTS = [
  { key: 'leadership_focus', name: 'Leadership focus', description: 'Leaders put customer loyalty first and spend their own time on it.' },
  { key: 'right_people', name: 'The right people in the right roles', description: 'We hire, place and keep people for their service attitude.' },
  { key: 'service_culture', name: 'Service culture', description: 'Everyone, in every department, sees serving customers as their job.' },
  { key: 'systems_and_processes', name: 'Systems and processes built for service', description: 'Our systems and rules make good service the easy path.' },
  { key: 'education', name: 'Organisation-wide education', description: 'Everyone learns what loyalty is worth and how to earn it.' },
  { key: 'investment', name: 'Investment in loyalty initiatives', description: 'Money and time go to what keeps customers, with a case for each.' },
  { key: 'measurement', name: 'Measurement that leads to action', description: 'We measure loyalty and its drivers, and every figure has an owner and an action.' },
] as const;
export type InputKey = (typeof INPUTS)[number]['key'];
export const INPUT_KEYS = INPUTS.map((i) => i.key) as [InputKey, ...InputKey[]];

export const LEVELS = [
  { level: 1, name: 'Absent', description: 'Not done, or only talked about.' },
  { level: 2, name: 'Starting', description: 'Done in a few places, by a few enthusiasts, without measurement.' },
  { level: 3, name: 'Practised', description: 'Done in most departments, with some measurement but few actions from it.' },
  { level: 4, name: 'Managed', description: 'Done everywhere, measured, and the figures lead to owned actions.' },
  { level: 5, name: 'Leading', description: 'How we work: measured, improved every quarter, and an example to others.' },
] as const;

export function quarterOf(d: DateTime) {
  return `${d.year}-Q${Math.ceil(d.month / 3)}`;
}

async function currentQuarter(ctx: Ctx) {
  const { timeZone } = await getSettings(ctx);
  return quarterOf(DateTime.fromJSDate(ctx.clock.now(), { zone: timeZone }));
}

function previousQuarters(quarter: string, count: number): string[] {
  const [y, q] = quarter.split('-Q').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const idx = y * 4 + (q - 1) - i;
    out.push(`${Math.floor(idx / 4)}-Q${(idx % 4) + 1}`);
  }
  return out;
}

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);
const sd = (v: number[]) => { const m = mean(v); return m === null ? null : Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length); };

export async function loyaltyInputs(ctx: Ctx, quarter?: string) {
  const q = quarter ?? await currentQuarter(ctx);
  const quarters = previousQuarters(q, 4);
  const now = ctx.clock.now();
  const [leaders, ratings, actions] = await Promise.all([
    ctx.db.selectFrom('loyalty_inputs').leftJoin('staff', 'staff.id', 'loyalty_inputs.leader_id').select(['loyalty_inputs.key', 'staff.id', 'staff.name']).execute(),
    ctx.db.selectFrom('loyalty_input_ratings').innerJoin('staff', 'staff.id', 'loyalty_input_ratings.rater_id')
      .select(['input_key as key', 'quarter', 'rater_id as raterId', 'staff.name as raterName', 'current_level as current', 'target_level as target', 'evidence', 'rated_at as ratedAt'])
      .where('quarter', 'in', quarters).orderBy('rated_at').execute(),
    ctx.db.selectFrom('loyalty_input_actions').innerJoin('commitments', 'commitments.id', 'loyalty_input_actions.commitment_id')
      .leftJoin('staff', 'staff.id', 'commitments.owner_id')
      .select(['loyalty_input_actions.input_key as key', 'commitments.id as commitmentId', 'commitments.text', 'commitments.owner_id as ownerId', 'staff.name as ownerName',
        'commitments.due_at as dueAt', 'commitments.status', 'commitments.kept_at as keptAt', 'commitments.broken_at as brokenAt'])
      .orderBy('commitments.due_at').execute(),
  ]);
  const items = INPUTS.map((input) => {
    const mine = ratings.filter((r) => r.key === input.key);
    const now_ = mine.filter((r) => r.quarter === q);
    const cur = now_.map((r) => r.current);
    const tgt = now_.map((r) => r.target);
    const leader = leaders.find((l) => l.key === input.key);
    const acts = actions.filter((a) => a.key === input.key).map((a) => ({
      ...a, overdue: a.status === 'broken' || ((a.status === 'open' || a.status === 'renegotiated') && a.dueAt <= now),
    }));
    return {
      ...input,
      leader: leader?.id ? { id: leader.id, name: leader.name! } : null,
      ratings: now_,
      current: { mean: mean(cur), min: cur.length ? Math.min(...cur) : null, max: cur.length ? Math.max(...cur) : null, sd: sd(cur) },
      target: { mean: mean(tgt), min: tgt.length ? Math.min(...tgt) : null, max: tgt.length ? Math.max(...tgt) : null, sd: sd(tgt) },
      gap: mean(tgt) !== null ? mean(tgt)! - mean(cur)! : null,
      trend: quarters.map((qq) => {
        const rs = mine.filter((r) => r.quarter === qq);
        return { quarter: qq, raters: rs.length, current: mean(rs.map((r) => r.current)), target: mean(rs.map((r) => r.target)) };
      }),
      actions: acts,
    };
  });
  return { quarter: q, levels: LEVELS, inputs: items, overdueActions: items.flatMap((i) => i.actions.filter((a) => a.overdue).map((a) => ({ ...a, input: i.name }))) };
}

export type LoyaltyInputs = Awaited<ReturnType<typeof loyaltyInputs>>;

export async function setLeader(ctx: Ctx, key: InputKey, leaderId: number | null) {
  staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    if (leaderId && !(await tx.db.selectFrom('staff').select('id').where('id', '=', leaderId).where('active', '=', true).executeTakeFirst())) {
      throw new Invalid('body.leaderId', 'exists', `There is no active staff member ${leaderId}`);
    }
    await tx.db.insertInto('loyalty_inputs').values({ key, leader_id: leaderId, updated_at: tx.clock.now() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ leader_id: leaderId, updated_at: tx.clock.now() })).execute();
    return { key, leaderId };
  });
}

/** One leader's rating of one input for a quarter (a second rating the same quarter replaces the first). */
export async function rateInput(ctx: Ctx, key: InputKey, input: { current: number; target: number; evidence?: string | null; quarter?: string }) {
  const me = staffActor(ctx);
  const quarter = input.quarter ?? await currentQuarter(ctx);
  return inTransaction(ctx, async (tx) => {
    const values = { current_level: input.current, target_level: input.target, evidence: input.evidence ?? null, rated_at: tx.clock.now() };
    await tx.db.insertInto('loyalty_input_ratings').values({ input_key: key, quarter, rater_id: me.id, ...values })
      .onConflict((oc) => oc.columns(['input_key', 'quarter', 'rater_id']).doUpdateSet(values)).execute();
    return { key, quarter, raterId: me.id, current: input.current, target: input.target, evidence: input.evidence ?? null };
  });
}

/** An action is a promise of its owner (by default the input's accountable leader). */
export async function addAction(ctx: Ctx, key: InputKey, input: { text: string; dueAt: Date; ownerId?: number }) {
  staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const leader = await tx.db.selectFrom('loyalty_inputs').select('leader_id').where('key', '=', key).executeTakeFirst();
    const ownerId = input.ownerId ?? leader?.leader_id ?? undefined;
    if (!ownerId) throw new Invalid('body.ownerId', 'required', 'Name the owner of the action, or give the input an accountable leader first');
    const commitment = await makeCommitment(tx, { caseId: null, customerId: null, text: input.text, dueAt: input.dueAt, ownerId });
    await tx.db.insertInto('loyalty_input_actions').values({ input_key: key, commitment_id: commitment.id, created_at: tx.clock.now() }).execute();
    return { key, commitmentId: commitment.id, text: commitment.text, ownerId: commitment.ownerId, dueAt: commitment.dueAt, status: commitment.status };
  });
}

export function requireInput(key: string): InputKey {
  if (!(INPUT_KEYS as string[]).includes(key)) throw new NotFound('Loyalty input', key);
  return key as InputKey;
}
