/**
 * The product's rules, checked over a whole database: each query returns the ids that break one
 * rule. The same checks run on the demo data and on the generated scale data, so both are known
 * to be a help desk the product itself could have produced. Checks are set-based (one statement
 * each) and lean on existing indexes, so they stay quick on tens of thousands of cases.
 */

/** Any runner of a plain SQL text that returns rows (test/helpers/app's `k.sql`, a pg client...). */
export type Query = <T = Record<string, unknown>>(text: string) => Promise<T[]>;

export interface Violation {
  rule: string;
  count: number;
  /** Up to five offending ids (of the table the rule is about), for the failure message. */
  sample: number[];
}

const OPEN = `('new', 'open', 'waiting_on_customer', 'waiting_on_us')`;

/** rule → a query selecting the `id`s that break it. */
export const INVARIANTS: Record<string, string> = {
  // Each open case has exactly one owner; only a brand-new case may wait unowned, and then in a team's queue.
  'an unowned open case is new and waits in a team queue':
    `SELECT id FROM cases WHERE status IN ${OPEN} AND owner_id IS NULL AND (status <> 'new' OR team_id IS NULL)`,
  'a resolved case has an owner': `SELECT id FROM cases WHERE status = 'resolved' AND owner_id IS NULL`,
  'a resolved or closed case says when it was resolved':
    `SELECT id FROM cases WHERE status IN ('resolved', 'closed') AND resolved_at IS NULL`,
  'a closed case says when it was closed': `SELECT id FROM cases WHERE status = 'closed' AND closed_at IS NULL`,
  'an open case is not marked resolved': `SELECT id FROM cases WHERE status IN ${OPEN} AND (resolved_at IS NOT NULL OR closed_at IS NOT NULL)`,
  // Ownership moves only by an accepted hand-over (or taking an unowned case): the count says so.
  'the hand-over count is the accepted hand-overs':
    `SELECT c.id FROM cases c LEFT JOIN (SELECT case_id, count(*) AS n FROM handovers WHERE status = 'accepted' GROUP BY case_id) h ON h.case_id = c.id
     WHERE c.handover_count <> coalesce(h.n, 0)`,
  'an accepted hand-over was answered by its receiver':
    `SELECT id FROM handovers WHERE status = 'accepted' AND (answered_at IS NULL OR answered_by_id IS NULL OR (to_staff_id IS NOT NULL AND answered_by_id <> to_staff_id))`,
  'a hand-over is answered after it was offered': `SELECT id FROM handovers WHERE answered_at < offered_at`,
  // Promises: kept or broken says when; a broken promise on a case opens a recovery.
  'a kept commitment says when': `SELECT id FROM commitments WHERE status = 'kept' AND kept_at IS NULL`,
  'a broken commitment says when': `SELECT id FROM commitments WHERE status = 'broken' AND broken_at IS NULL`,
  'a commitment is to the case\'s customer':
    `SELECT m.id FROM commitments m JOIN cases c ON c.id = m.case_id WHERE m.customer_id <> c.customer_id`,
  'a broken promise has a recovery':
    `SELECT m.id FROM commitments m WHERE m.kind = 'promise' AND m.status = 'broken' AND m.case_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM recoveries r WHERE r.source = 'broken_commitment' AND r.source_ref = 'commitment:' || m.id)`,
  'a missed standard has a recovery':
    `SELECT m.id FROM commitments m WHERE m.kind <> 'promise' AND m.status = 'broken' AND m.case_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM recoveries r WHERE r.source = 'missed_standard' AND r.source_ref = 'commitment:' || m.id)`,
  'a recovery is for its case\'s customer':
    `SELECT r.id FROM recoveries r JOIN cases c ON c.id = r.case_id WHERE r.customer_id <> c.customer_id`,
  'a recovered recovery has its fix': `SELECT id FROM recoveries WHERE status = 'recovered' AND fix_at IS NULL`,
  // The timeline follows the case: nothing is written on it before the case opened.
  'nothing is on a timeline before the case opened':
    `SELECT e.id FROM case_entries e JOIN cases c ON c.id = e.case_id WHERE e.created_at < c.opened_at - interval '1 second'`,
  // Survey answers are from the customer who was asked, about the case they were asked about.
  'a survey answer comes from the invited customer':
    `SELECT s.id FROM survey_responses s JOIN survey_invitations i ON i.id = s.invitation_id
     WHERE s.customer_id IS DISTINCT FROM i.customer_id OR s.case_id IS DISTINCT FROM i.case_id`,
  'a survey answer is about its customer\'s case':
    `SELECT s.id FROM survey_responses s JOIN cases c ON c.id = s.case_id WHERE s.customer_id IS DISTINCT FROM c.customer_id`,
};

/** Every rule some row breaks, with how many rows and a few of their ids; empty when all hold. */
export async function checkInvariants(sql: Query): Promise<Violation[]> {
  const found: Violation[] = [];
  for (const [rule, query] of Object.entries(INVARIANTS)) {
    const rows = await sql<{ count: number; sample: number[] | null }>(
      `SELECT count(*)::int AS count, (array_agg(id::int ORDER BY id))[1:5] AS sample FROM (${query}) broken`,
    );
    const r = rows[0]!;
    if (r.count > 0) found.push({ rule, count: r.count, sample: r.sample ?? [] });
  }
  return found;
}
