/**
 * A relationship survey to a segment: everyone in it who may be asked is asked, in one set-based
 * statement, and the emails go out at the transport's pace through the outbox. The rules are the
 * single invitation's (service.ts): nobody asked within the cooldown, nobody with an open
 * recovery, nobody erased on request; merged duplicates are never addressed. Each invitation
 * gets its own unguessable token (256 random bits, 244 of them free, drawn by PostgreSQL), of
 * which only the SHA-256 is kept on the invitation, exactly as a single invitation does; the
 * token travels in the customer's email only. Staff see counts and progress, never a link.
 */
import { sql } from 'kysely';
import type { Ctx } from '../core/context';
import { actorId, inTransaction } from '../core/context';
import { roomForBigSorts } from '../core/db/memory';
import { NotFound } from '../core/errors';
import { DAY } from '../core/clock';
import { getSettings } from '../org';
import { outboxConfig } from '../outbox';
import { getSurvey, surveyEmail } from './service';
import { surveyLink } from './config';

export interface Audience { segment?: string | null; contactedWithinDays?: number | null }

const RECENTLY = (days: number) => `asked recently, within the ${days}-day cooldown`;
const RECOVERY = 'a recovery for this customer is open';
const ERASED = 'erased on request';
const INACTIVE = 'the survey is not active';

// Places in the mail-merge templates the outbox fills with each customer's name and token.
const NAME = '\u0001name\u0001';
const TOKEN = '\u0001token\u0001';

/** The customers a send would reach, as a FROM-less WHERE over customers c. */
function chosen(a: Audience, now: Date) {
  const segment = a.segment ? sql`c.segment = ${a.segment}` : sql`true`;
  const contacted = a.contactedWithinDays
    ? sql`EXISTS (SELECT 1 FROM cases k WHERE k.customer_id = c.id AND k.updated_at > ${new Date(now.getTime() - a.contactedWithinDays * DAY)})`
    : sql`true`;
  return sql`c.merged_into_id IS NULL AND ${segment} AND ${contacted}`;
}

/** How many a send would reach and why the others would be skipped: what the sender confirms. */
export async function audienceOf(ctx: Ctx, surveyId: number, a: Audience) {
  const survey = await getSurvey(ctx, surveyId);
  const now = ctx.clock.now();
  const { surveyCooldownDays } = await getSettings(ctx);
  const since = new Date(now.getTime() - surveyCooldownDays * DAY);
  const { rows } = await sql<{ customers: number; erased: number; recently: number; recovery: number }>`
    SELECT count(*)::int AS customers,
           count(*) FILTER (WHERE c.erased_at IS NOT NULL)::int AS erased,
           count(*) FILTER (WHERE c.erased_at IS NULL AND EXISTS (SELECT 1 FROM survey_invitations i WHERE i.customer_id = c.id AND i.sent_at > ${since}))::int AS recently,
           count(*) FILTER (WHERE c.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.customer_id = c.id AND i.sent_at > ${since})
                              AND EXISTS (SELECT 1 FROM recoveries r WHERE r.customer_id = c.id AND r.status = 'open'))::int AS recovery
    FROM customers c WHERE ${chosen(a, now)}`.execute(ctx.db);
  const r = rows[0]!;
  const skipped: Record<string, number> = {};
  if (r.erased) skipped[ERASED] = r.erased;
  if (r.recently) skipped[RECENTLY(surveyCooldownDays)] = r.recently;
  if (r.recovery) skipped[RECOVERY] = r.recovery;
  let eligible = r.customers - r.erased - r.recently - r.recovery;
  if (!survey.active && eligible) {
    skipped[INACTIVE] = eligible;
    eligible = 0;
  }
  return { segment: a.segment ?? null, contactedWithinDays: a.contactedWithinDays ?? null, customers: r.customers, eligible, skipped };
}

/**
 * Invites the audience: invitations, their emails in the outbox and their survey.invited events,
 * in one transaction. Two sends at once are serialised (the cooldown must see the first).
 */
export async function sendToSegment(ctx: Ctx, surveyId: number, a: Audience | string) {
  const audience: Audience = typeof a === 'string' ? { segment: a } : a;
  return inTransaction(ctx, async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('kept.survey-send'))`.execute(tx.db);
    const survey = await getSurvey(tx, surveyId);
    const count = await audienceOf(tx, surveyId, audience);
    const now = tx.clock.now();
    const send = await tx.db.insertInto('survey_sends').values({
      survey_id: surveyId, segment: audience.segment ?? null, contacted_within_days: audience.contactedWithinDays ?? null,
      requested_by_id: actorId(tx), customers: count.customers, invited: 0, skipped: JSON.stringify(count.skipped), created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const invited = count.eligible ? await inviteAll(tx, survey, send.id, audience) : 0;
    await tx.db.updateTable('survey_sends').set({ invited }).where('id', '=', send.id).execute();
    return { sendId: send.id, segment: count.segment, contactedWithinDays: count.contactedWithinDays, customers: count.customers, sent: invited, skipped: count.skipped };
  });
}

async function inviteAll(tx: Ctx, survey: Awaited<ReturnType<typeof getSurvey>>, sendId: number, a: Audience): Promise<number> {
  const now = tx.clock.now();
  const settings = await getSettings(tx);
  const since = new Date(now.getTime() - settings.surveyCooldownDays * DAY);
  const expires = new Date(now.getTime() + survey.expiresAfterDays * DAY);
  // The email in each language the segment speaks, rendered once as a mail-merge template; each
  // outbox row carries only the name and the token, which the outbox fills in as it sends.
  const { rows: languages } = await sql<{ language: string }>`
    SELECT DISTINCT lower(left(coalesce(c.language, 'en'), 2)) AS language FROM customers c WHERE ${chosen(a, now)}`.execute(tx.db);
  const rendered = languages.map(({ language }) => ({ language, ...surveyEmail(survey.questions[0]!, surveyLink(TOKEN), language, settings.name, NAME) }));
  const templateIds = rendered.length ? (await tx.db.insertInto('outbound_templates')
    .values(rendered.map((t) => ({ subject: t.subject, text_body: t.text, html_body: t.html, created_at: now }))).returning('id').execute())
    .map((t) => t.id).sort((x, y) => x - y) : []; // identities are drawn in the order of the rows
  const base64url = (bytes: ReturnType<typeof sql>) => sql`rtrim(translate(encode(${bytes}, 'base64'), '+/', '-_'), '=')`;
  // 122 random bits per UUID, its 16 bytes taken as they are (no round trip through text; one UUID
  // per message id, which needs to be unique, not secret): about half a second of a 100,000 send.
  const uuidBytes = sql`uuid_send(gen_random_uuid())`;
  const actor = actorId(tx);
  // The invitations are matched to their emails by message id: sorted in memory, not on disk.
  await roomForBigSorts(tx.db);
  const { rows } = await sql<{ n: number }>`
    WITH t AS (
      SELECT * FROM unnest(${rendered.map((t) => t.language)}::text[], ${rendered.map((t) => t.subject)}::text[], ${templateIds}::bigint[]) AS t(language, subject, template_id)
    ), chosen AS MATERIALIZED (
      SELECT c.id AS customer_id,
             (SELECT e.email FROM customer_emails e WHERE e.customer_id = c.id ORDER BY e.email LIMIT 1) AS email,
             CASE WHEN c.first_name_ok AND nullif(c.given_name, '') IS NOT NULL THEN c.given_name
                  WHEN nullif(c.title, '') IS NOT NULL AND nullif(c.family_name, '') IS NOT NULL THEN c.title || ' ' || c.family_name
                  ELSE c.name END AS name,
             lower(left(coalesce(c.language, 'en'), 2)) AS language,
             'sv_' || ${base64url(sql`${uuidBytes} || ${uuidBytes}`)} AS token,
             '<kept.' || ${base64url(uuidBytes)} || '@' || ${outboxConfig().domain} || '>' AS message_id
      FROM customers c
      WHERE ${chosen(a, now)} AND c.erased_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.customer_id = c.id AND i.sent_at > ${since})
        AND NOT EXISTS (SELECT 1 FROM recoveries r WHERE r.customer_id = c.id AND r.status = 'open')
    ), mails AS (
      INSERT INTO outbound_emails (case_id, entry_id, kind, to_address, subject, message_id, reply_secret, reply_to, in_reply_to, text_body, html_body,
                                   template_id, merge, next_attempt_at, created_at)
      SELECT NULL, NULL, 'survey', chosen.email, t.subject, chosen.message_id, NULL, NULL, NULL, '', '',
             t.template_id, jsonb_build_object('name', chosen.name, 'token', chosen.token), ${now}, ${now}
      FROM chosen JOIN t ON t.language = chosen.language
      WHERE chosen.email IS NOT NULL
      RETURNING id, message_id
    ), invited AS (
      INSERT INTO survey_invitations (survey_id, customer_id, token_hash, channel, sent_at, expires_at, send_id, outbound_email_id)
      SELECT ${survey.id}, chosen.customer_id, sha256(convert_to(chosen.token, 'UTF8')), CASE WHEN mails.id IS NULL THEN 'portal' ELSE 'email' END,
             ${now}, ${expires}, ${sendId}, mails.id
      FROM chosen LEFT JOIN mails ON mails.message_id = chosen.message_id
      RETURNING id, customer_id, channel
    ), events AS (
      INSERT INTO domain_events (type, version, occurred_at, actor_id, case_id, customer_id, payload)
      SELECT 'survey.invited', 1, ${now}, ${actor}, NULL, invited.customer_id,
             jsonb_build_object('invitationId', invited.id, 'surveyId', ${survey.id}::bigint, 'surveyName', ${survey.name}::text, 'customerId', invited.customer_id,
                                'caseId', NULL, 'channel', invited.channel, 'touchpoint', NULL, 'sendId', ${sendId}::bigint)
      FROM invited
      RETURNING 1
    )
    SELECT count(*)::int AS n FROM events`.execute(tx.db);
  return rows[0]!.n;
}

/** Where a send stands: invitations queued in the outbox, sent, failed, in the portal only, answered. */
export async function sendProgress(ctx: Ctx, sendId: number) {
  const send = await ctx.db.selectFrom('survey_sends')
    .select(['id', 'survey_id as surveyId', 'segment', 'contacted_within_days as contactedWithinDays', 'requested_by_id as requestedById',
      'customers', 'invited', 'skipped', 'created_at as createdAt'])
    .where('id', '=', sendId).executeTakeFirst();
  if (!send) throw new NotFound('Survey send', sendId);
  const { rows } = await sql<{ queued: number; sent: number; failed: number; portal: number; answered: number; completed: number }>`
    SELECT count(*) FILTER (WHERE o.status = 'queued')::int AS queued,
           count(*) FILTER (WHERE o.status = 'sent')::int AS sent,
           count(*) FILTER (WHERE o.status = 'failed')::int AS failed,
           count(*) FILTER (WHERE i.outbound_email_id IS NULL)::int AS portal,
           count(r.id)::int AS answered,
           count(r.completed_at)::int AS completed
    FROM survey_invitations i
    LEFT JOIN outbound_emails o ON o.id = i.outbound_email_id
    LEFT JOIN survey_responses r ON r.invitation_id = i.id
    WHERE i.send_id = ${sendId}`.execute(ctx.db);
  return { ...send, progress: rows[0]! };
}

/** The latest sends of a survey, newest first, each with its progress. */
export async function surveySends(ctx: Ctx, surveyId: number) {
  await getSurvey(ctx, surveyId);
  const ids = await ctx.db.selectFrom('survey_sends').select('id').where('survey_id', '=', surveyId).orderBy('id', 'desc').limit(5).execute();
  return Promise.all(ids.map(({ id }) => sendProgress(ctx, id)));
}

/** Timer: relationship surveys whose turn has come go to their segment, then wait every_days. */
export async function sendScheduledSurveys(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db.updateTable('surveys')
    .set((eb) => ({ next_run_at: sql<Date>`${eb.ref('next_run_at')} + make_interval(days => ${eb.ref('every_days')})` }))
    .where('active', '=', true).where('next_run_at', '<=', now).where('every_days', 'is not', null).where('segment', 'is not', null)
    .returning(['id', 'segment']).execute(); // claiming by moving next_run_at: one instance sends each round
  for (const s of due) await sendToSegment({ ...ctx, actor: null }, s.id, { segment: s.segment! });
  return due.length;
}
