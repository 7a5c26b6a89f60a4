/**
 * Surveys: asked after a case is resolved, after a touchpoint, or of a segment. A customer is
 * asked at most once per cooldown across all surveys, and never while a recovery for them is
 * open. Each invitation carries an unguessable single-use token tied to one customer and one
 * survey, and expires. Answers are kept as they come (partial answers count); completing twice
 * counts once. A detractor, a "below expectation" or a comment that reads as a complaint opens
 * a recovery case at once: owned by the last case owner (else the team lead), on a 24-hour clock.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../core/context';
import { resolveTouchpoint } from '../touchpoints';
import { inTransaction } from '../core/context';
import { Conflict, DomainError, Forbidden, Invalid, NotFound } from '../core/errors';
import { staffActor } from '../core/access';
import { DAY } from '../core/clock';
import { newToken, tokenHash } from '../core/passwords';
import { getSettings } from '../org';
import { formOfAddress } from '../customers';
import { queueEmail } from '../outbox';
import { publish } from '../events';
import { addEntry } from '../timeline';
import { answerSchema, checkQuestions, keyOf, questionText, scaleOf, standardColumns, withComment, type Question } from './questions';
import { read } from '../listening/text';
import { surveyLink } from './config';
import { countSave } from './save-limit';
import { isDetractor } from './nps';
import type { SurveyTrigger } from './schema';


export class Gone extends DomainError {
  constructor(message: string) {
    super(410, 'Gone', message);
  }
}

const surveyColumns = ['id', 'name', 'trigger', 'touchpoint', 'segment', 'questions', 'active', 'expires_after_days as expiresAfterDays', 'every_days as everyDays', 'next_run_at as nextRunAt', 'created_at as createdAt'] as const;

export async function listSurveys(ctx: Ctx) {
  return ctx.db.selectFrom('surveys').select(surveyColumns).orderBy('id').execute();
}

export async function getSurvey(ctx: Ctx, id: number) {
  const s = await ctx.db.selectFrom('surveys').select(surveyColumns).where('id', '=', id).executeTakeFirst();
  if (!s) throw new NotFound('Survey', id);
  return s;
}

export async function createSurvey(ctx: Ctx, input: { name: string; trigger: SurveyTrigger; touchpoint?: string | null; segment?: string | null; questions: Question[]; expiresAfterDays?: number; active?: boolean; everyDays?: number | null }) {
  const bad = checkQuestions(input.questions);
  if (bad) throw new Invalid('body.questions', 'questions', bad);
  if (input.everyDays && (input.trigger !== 'relationship' || !input.segment)) {
    throw new Invalid('body.everyDays', 'relationship', 'Only a relationship survey with a segment is sent on a schedule');
  }
  const touchpoint = (await resolveTouchpoint(ctx, input.touchpoint, 'body.touchpoint')) ?? null;
  return ctx.db.insertInto('surveys').values({
    name: input.name, trigger: input.trigger, touchpoint, segment: input.segment ?? null,
    every_days: input.everyDays ?? null, next_run_at: input.everyDays ? ctx.clock.now() : null,
    questions: JSON.stringify(withComment(input.questions)), expires_after_days: input.expiresAfterDays ?? 14, active: input.active ?? true,
  }).returning(surveyColumns).executeTakeFirstOrThrow();
}

export async function updateSurvey(ctx: Ctx, id: number, patch: { name?: string; active?: boolean; questions?: Question[]; expiresAfterDays?: number }) {
  const bad = patch.questions && checkQuestions(patch.questions);
  if (bad) throw new Invalid('body.questions', 'questions', bad);
  const row = await ctx.db.updateTable('surveys').set({
    name: patch.name, active: patch.active, questions: patch.questions ? JSON.stringify(withComment(patch.questions)) : undefined, expires_after_days: patch.expiresAfterDays,
  }).where('id', '=', id).returning(surveyColumns).executeTakeFirst();
  if (!row) throw new NotFound('Survey', id);
  return row;
}

/** Why this customer may not be asked now, or null if they may. */
export async function whyNotAsk(ctx: Ctx, customerId: number, opts: { cooldown: boolean } = { cooldown: true }): Promise<string | null> {
  const { surveyCooldownDays } = await getSettings(ctx);
  const since = new Date(ctx.clock.now().getTime() - surveyCooldownDays * DAY);
  const recent = opts.cooldown && await ctx.db.selectFrom('survey_invitations').select('sent_at').where('customer_id', '=', customerId).where('sent_at', '>', since).limit(1).executeTakeFirst();
  if (recent) return `asked on ${recent.sent_at.toISOString().slice(0, 10)}, within the ${surveyCooldownDays}-day cooldown`;
  const recovery = await ctx.db.selectFrom('recoveries').select('id').where('customer_id', '=', customerId).where('status', '=', 'open').limit(1).executeTakeFirst();
  if (recovery) return `a recovery for this customer is open (${recovery.id})`;
  return null;
}

/**
 * What staff get back: never the token. The link travels to the customer only (by email); a
 * staff member holding it could answer in the customer's name and move a colleague's NPS.
 */
export interface Invitation { id: number; channel: 'email' | 'portal' }

/** Invites if allowed; returns the invitation or the reason it was not sent. */
export async function invite(ctx: Ctx, surveyId: number, customerId: number, about: { caseId?: number | null; touchpoint?: string | null; recoveryId?: number } = {}): Promise<Invitation | { skipped: string }> {
  // What the invitation names must exist, and its case must be this customer's: answers are
  // credited to that case's owner, team and department.
  const survey = await getSurvey(ctx, surveyId);
  const [customer, email, c, settings] = await Promise.all([
    ctx.db.selectFrom('customers').select(['id', 'name', 'title', 'given_name as givenName', 'family_name as familyName', 'first_name_ok as firstNameOk', 'language']).where('id', '=', customerId).executeTakeFirst(),
    ctx.db.selectFrom('customer_emails').select('email').where('customer_id', '=', customerId).orderBy('email').executeTakeFirst(),
    about.caseId ? ctx.db.selectFrom('cases').select(['id', 'customer_id', 'owner_id', 'team_id', 'type', 'channel', 'touchpoint', 'caused_by_department_id', 'subject']).where('id', '=', about.caseId).executeTakeFirst() : undefined,
    getSettings(ctx),
  ]);
  if (!customer) throw new NotFound('Customer', customerId);
  if (about.caseId && !c) throw new NotFound('Case', about.caseId);
  if (c && c.customer_id !== customerId) {
    throw new Conflict(`Case ${c.id} is another customer's case: a survey about it can only go to that customer`, [{ field: 'body.caseId', rule: 'same_customer', message: 'belongs to another customer' }]);
  }
  // The recovery follow-up is part of closing the loop, not another survey: the cooldown does not apply.
  const reason = await whyNotAsk(ctx, customerId, { cooldown: !about.recoveryId });
  if (reason) return { skipped: reason };
  if (!survey.active) return { skipped: 'the survey is not active' };
  const { token, hash } = newToken('sv');
  const now = ctx.clock.now();
  const row = await ctx.db.insertInto('survey_invitations').values({
    survey_id: surveyId, customer_id: customerId, case_id: c?.id ?? null, token_hash: hash, channel: email ? 'email' : 'portal',
    agent_id: c?.owner_id ?? null, team_id: c?.team_id ?? null, department_id: c?.caused_by_department_id ?? null, case_type: c?.type ?? null,
    case_channel: c?.channel ?? null, touchpoint: about.touchpoint ?? c?.touchpoint ?? null, recovery_id: about.recoveryId ?? null, sent_at: now,
    expires_at: new Date(now.getTime() + survey.expiresAfterDays * DAY),
  }).returning(['id', 'channel']).executeTakeFirstOrThrow();
  const link = surveyLink(token);
  if (email) {
    const language = customer.language?.slice(0, 2).toLowerCase() ?? 'en';
    await queueEmail(ctx, { caseId: c?.id ?? null, entryId: null, kind: 'survey', to: email.email, ...surveyEmail(survey.questions[0]!, link, language, settings.name, formOfAddress(customer)) });
  }
  if (c) await addEntry(ctx, c.id, 'survey_sent', { authorId: null, data: { invitationId: row.id, surveyId, channel: row.channel } });
  await publish(ctx, 'survey.invited', { caseId: c?.id ?? null, customerId }, {
    invitationId: row.id, surveyId, surveyName: survey.name, customerId, caseId: c?.id ?? null, channel: row.channel, touchpoint: about.touchpoint ?? c?.touchpoint ?? null,
  });
  return { id: row.id, channel: row.channel };
}

const MAIL_WORDS: Record<string, { subject: string; dear: string; or: string; thanks: string; hint: string }> = {
  en: { subject: '{org}: how did we do?', dear: 'Dear {name},', or: 'Or answer here:', thanks: 'Thank you,', hint: 'Choose a score: you confirm it on the next page.' },
  de: { subject: '{org}: Wie zufrieden waren Sie?', dear: 'Guten Tag {name},', or: 'Oder antworten Sie hier:', thanks: 'Vielen Dank,', hint: 'Wählen Sie eine Zahl: Sie bestätigen sie auf der nächsten Seite.' },
  fr: { subject: '{org} : votre avis nous intéresse', dear: 'Bonjour {name},', or: 'Ou répondez ici :', thanks: 'Merci,', hint: 'Choisissez une note : vous la confirmerez sur la page suivante.' },
};

const escHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The survey email in the customer's language (English otherwise). When the first question is a
 * 0–10 score, the HTML part shows it as buttons; each only pre-selects the score on the page, where
 * the customer confirms with one tap (link scanners open links too).
 */
export function surveyEmail(first: Question, link: string, language: string, org: string, name: string) {
  const w = MAIL_WORDS[language] ?? MAIL_WORDS.en!;
  const question = questionText(first, MAIL_WORDS[language] ? language : 'en', org);
  const oneClick = first.kind === 'nps' || first.kind === 'stay';
  const scores = Array.from({ length: 11 }, (_, n) => n);
  const text = `${w.dear.replace('{name}', name)}\n\n${question}${oneClick ? `\n\n${scores.map((n) => `${n}: ${link}?${first.kind}=${n}`).join('\n')}` : ''}\n\n${w.or} ${link}\n\n${w.thanks}\n${org}`;
  const buttons = oneClick ? `<p style="margin:16px 0 4px">${scores.map((n) => `<a href="${escHtml(`${link}?${first.kind}=${n}`)}" style="display:inline-block;min-width:28px;padding:8px 4px;margin:2px;border:1px solid #1f4e8c;border-radius:4px;color:#1f4e8c;text-align:center;text-decoration:none;font-weight:bold">${n}</a>`).join('')}</p><p style="color:#555;font-size:13px">${escHtml(w.hint)}</p>` : '';
  const html = `<!doctype html><html lang="${escHtml(language)}"><body style="font-family: sans-serif; line-height: 1.5"><p>${escHtml(w.dear.replace('{name}', name))}</p><p>${escHtml(question)}</p>${buttons}<p>${escHtml(w.or)} <a href="${escHtml(link)}">${escHtml(link)}</a></p><p>${escHtml(w.thanks)}<br>${escHtml(org)}</p></body></html>`;
  return { subject: w.subject.replace('{org}', org), text, html };
}

/** After a case is resolved: the first active transactional survey, if the customer may be asked. */
export async function inviteAfterResolution(ctx: Ctx, caseId: number) {
  const survey = await ctx.db.selectFrom('surveys').select('id').where('trigger', '=', 'case_resolved').where('active', '=', true).orderBy('id').executeTakeFirst();
  if (!survey) return null;
  const c = await ctx.db.selectFrom('cases').select('customer_id').where('id', '=', caseId).executeTakeFirstOrThrow();
  return invite(ctx, survey.id, c.customer_id, { caseId });
}

export async function inviteAfterTouchpoint(ctx: Ctx, input: { customerId: number; touchpoint: string; caseId?: number | null }) {
  if (!await ctx.db.selectFrom('customers').select('id').where('id', '=', input.customerId).executeTakeFirst()) throw new NotFound('Customer', input.customerId);
  input = { ...input, touchpoint: (await resolveTouchpoint(ctx, input.touchpoint, 'body.touchpoint'))! };
  const survey = await ctx.db.selectFrom('surveys').select('id').where('trigger', '=', 'touchpoint').where('touchpoint', '=', input.touchpoint).where('active', '=', true).orderBy('id').executeTakeFirst();
  if (!survey) return { skipped: `no active survey for the touchpoint "${input.touchpoint}"` };
  return invite(ctx, survey.id, input.customerId, { caseId: input.caseId ?? null, touchpoint: input.touchpoint });
}

/**
 * Timer: some days after a recovery's fix, its customer is asked one question — how likely they
 * are to keep doing business with us — and the answer is recorded on the recovery.
 */
export async function askRecoveredCustomers(ctx: Ctx): Promise<number> {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const due = await tx.db.selectFrom('recoveries').select(['id', 'customer_id', 'case_id'])
      .where('follow_up_at', 'is', null).where('follow_up_asked_at', 'is', null).where('follow_up_due_at', '<=', tx.clock.now())
      .orderBy('follow_up_due_at').limit(50).forNoKeyUpdate().skipLocked().execute();
    if (!due.length) return 0;
    const surveyId = await followUpSurvey(tx);
    for (const r of due) {
      await tx.db.updateTable('recoveries').set({ follow_up_asked_at: tx.clock.now() }).where('id', '=', r.id).execute();
      await invite(tx, surveyId, r.customer_id, { caseId: r.case_id, recoveryId: r.id });
    }
    return due.length;
  });
}

/** The built-in one-question survey for recovery follow-ups; admins may edit its wording. */
async function followUpSurvey(ctx: Ctx): Promise<number> {
  const existing = await ctx.db.selectFrom('surveys').select('id').where('trigger', '=', 'recovery_follow_up').orderBy('id').executeTakeFirst();
  if (existing) return existing.id;
  return (await createSurvey(ctx, { name: 'Did we win you back?', trigger: 'recovery_follow_up', questions: [{ kind: 'stay' }] })).id;
}

async function invitationByToken(ctx: Ctx, token: string, lock = false) {
  let q = ctx.db.selectFrom('survey_invitations').selectAll().where('token_hash', '=', tokenHash(token));
  if (lock) q = q.forNoKeyUpdate();
  const inv = await q.executeTakeFirst();
  if (!inv) throw new NotFound('Survey link', 'given'); // same answer for guessed and mistyped tokens
  return inv;
}

/** What the public page may show: the questions and a greeting, nothing else about the customer. */
export async function openSurvey(ctx: Ctx, token: string) {
  const inv = await invitationByToken(ctx, token);
  const [survey, customer, response, settings] = await Promise.all([
    getSurvey(ctx, inv.survey_id),
    ctx.db.selectFrom('customers').select(['name', 'title', 'given_name as givenName', 'family_name as familyName', 'first_name_ok as firstNameOk', 'language']).where('id', '=', inv.customer_id).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('survey_responses').select(['answers', 'completed_at']).where('invitation_id', '=', inv.id).executeTakeFirst(),
    getSettings(ctx),
  ]);
  if (!inv.opened_at) await ctx.db.updateTable('survey_invitations').set({ opened_at: ctx.clock.now() }).where('id', '=', inv.id).execute();
  const language = customer.language?.slice(0, 2).toLowerCase() ?? 'en';
  return {
    greeting: greetingOf(customer),
    organisation: settings.name,
    language,
    questions: survey.questions.map((q) => ({ kind: q.kind, key: keyOf(q), scale: scaleOf(q), text: questionText(q, language, settings.name) })),
    answers: response?.answers ?? {},
    completed: !!response?.completed_at,
    expired: inv.expires_at <= ctx.clock.now(),
  };
}

/** First name where the customer allowed it, else title and surname; never more than that. */
function greetingOf(c: { name: string; title: string | null; givenName: string | null; familyName: string | null; firstNameOk: boolean }) {
  if (c.firstNameOk && c.givenName) return c.givenName;
  if (c.title && c.familyName) return `${c.title} ${c.familyName}`;
  return null;
}

export async function answerSurvey(ctx: Ctx, token: string, raw: Record<string, unknown>, complete: boolean) {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const inv = await invitationByToken(tx, token, true);
    if (!complete) countSave(tx, inv);
    return recordAnswers(tx, inv, raw, complete);
  });
}

/** Answers for one invitation (the token has been checked, or the demo seeder is answering). */
export async function answerInvitation(ctx: Ctx, invitationId: number, raw: Record<string, unknown>, complete: boolean) {
  return inTransaction({ ...ctx, actor: null }, async (tx) => {
    const inv = await tx.db.selectFrom('survey_invitations').selectAll().where('id', '=', invitationId).forNoKeyUpdate().executeTakeFirst();
    if (!inv) throw new NotFound('Survey invitation', invitationId);
    return recordAnswers(tx, inv, raw, complete);
  });
}

async function recordAnswers(tx: Ctx, inv: Awaited<ReturnType<typeof invitationByToken>>, raw: Record<string, unknown>, complete: boolean) {
  const now = tx.clock.now();
  if (inv.expires_at <= now) throw new Gone('This survey link has expired');
  const survey = await getSurvey(tx, inv.survey_id);
  // Checked against this survey's own questions; errors name body.answers.<question>.
  const parsed = z.object({ answers: answerSchema(survey.questions) }).parse({ answers: raw }).answers;
  const existing = await tx.db.selectFrom('survey_responses').select(['id', 'answers', 'completed_at', 'recovery_case_id']).where('invitation_id', '=', inv.id).executeTakeFirst();
  if (existing?.completed_at) throw new Conflict('This survey was already submitted: thank you, it is counted once');
  const answers = { ...(existing?.answers ?? {}), ...Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined && v !== '')) } as Record<string, unknown>;
  const { comment, ...standard } = standardColumns(survey.questions, answers);
  // Read in its own language: a French or German complaint opens the recovery as an English one does.
  const reading = comment ? read(comment) : null;
  const complaint = !!reading?.complaint;
  const columns = {
    answers: JSON.stringify(answers), ...standard, comment, complaint, language: reading?.language ?? null, sentiment: reading?.sentiment ?? null,
    updated_at: now, completed_at: complete ? now : null,
  };
  const row = existing
    ? await tx.db.updateTable('survey_responses').set(columns).where('id', '=', existing.id).returning(['id', 'recovery_case_id']).executeTakeFirstOrThrow()
    : await tx.db.insertInto('survey_responses').values({
      ...columns, survey_id: inv.survey_id, invitation_id: inv.id, customer_id: inv.customer_id, case_id: inv.case_id, agent_id: inv.agent_id,
      team_id: inv.team_id, department_id: inv.department_id, case_type: inv.case_type, case_channel: inv.case_channel, touchpoint: inv.touchpoint,
      started_at: now,
    }).returning(['id', 'recovery_case_id']).executeTakeFirstOrThrow();
  // Closing the loop (a recovery for an unhappy answer, the loyalty after a recovery) reacts to this event.
  const signal = columns.nps !== null && isDetractor(columns.nps) ? `detractor (${columns.nps})`
    : columns.expectation === 'below' ? 'below expectation' : complaint ? 'a comment that reads as a complaint' : null;
  await publish(tx, 'survey.answered', { caseId: inv.case_id, customerId: inv.customer_id }, {
    responseId: row.id, invitationId: inv.id, surveyId: inv.survey_id, customerId: inv.customer_id, caseId: inv.case_id,
    agentId: inv.agent_id, teamId: inv.team_id, touchpoint: inv.touchpoint, completed: complete,
    nps: columns.nps, category: npsCategory(columns.nps), ces: columns.ces, csat: columns.csat, stay: columns.stay, expectation: columns.expectation,
    comment, complaint, signal: row.recovery_case_id ? null : signal, followUpOfRecoveryId: inv.recovery_id,
  });
  return { saved: true, completed: complete };
}

const npsCategory = (nps: number | null) => (nps === null ? null : isDetractor(nps) ? 'detractor' : nps >= 9 ? 'promoter' : 'passive');

/**
 * The follow-up belongs to whoever owns the loop: the owner of the recovery case the answer
 * opened (else the owner of the case it was about), their team lead, managers and admins.
 * Anyone else could overwrite a colleague's account of the conversation.
 */
export async function recordResponseFollowUp(ctx: Ctx, id: number, outcome: string) {
  const actor = staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const response = await tx.db.selectFrom('survey_responses').select(['id', 'recovery_case_id', 'case_id', 'agent_id', 'team_id']).where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
    if (!response) throw new NotFound('Survey response', id);
    if (actor.role !== 'manager' && actor.role !== 'admin') {
      const caseId = response.recovery_case_id ?? response.case_id;
      const c = caseId ? await tx.db.selectFrom('cases').select(['owner_id', 'team_id']).where('id', '=', caseId).executeTakeFirst() : undefined;
      const ownerId = c ? c.owner_id : response.agent_id;
      const owner = ownerId ? await tx.db.selectFrom('staff').select('team_id').where('id', '=', ownerId).executeTakeFirst() : undefined;
      const teamIds = [owner?.team_id, c?.team_id ?? response.team_id].filter((t): t is number => !!t);
      const leads = teamIds.length ? await tx.db.selectFrom('teams').select('lead_id').where('id', 'in', teamIds).execute() : [];
      if (ownerId !== actor.id && !leads.some((t) => t.lead_id === actor.id)) {
        throw new Forbidden('Only the owner of this follow-up, their team lead, a manager or an admin may record its outcome');
      }
    }
    return tx.db.updateTable('survey_responses').set({ follow_up_outcome: outcome, follow_up_at: tx.clock.now() }).where('id', '=', id)
      .returning(['id', 'follow_up_outcome as followUpOutcome', 'follow_up_at as followUpAt']).executeTakeFirstOrThrow();
  });
}

/** Newest first, a page at a time: `next` is the cursor for the page after (null at the end). */
export async function listResponses(ctx: Ctx, f: { surveyId?: number; detractorsOnly?: boolean; limit: number; before?: number; customerId?: number }) {
  let q = ctx.db.selectFrom('survey_responses')
    .select(['id', 'survey_id as surveyId', 'customer_id as customerId', 'case_id as caseId', 'nps', 'ces', 'csat', 'stay', 'expectation', 'answers', 'comment', 'complaint',
      'language', 'sentiment', 'segment', 'attributes', 'touchpoint', 'external_ref as externalRef',
      'started_at as startedAt', 'completed_at as completedAt', 'recovery_case_id as recoveryCaseId', 'follow_up_outcome as followUpOutcome', 'imported']);
  if (f.surveyId) q = q.where('survey_id', '=', f.surveyId);
  if (f.customerId) q = q.where('customer_id', '=', f.customerId);
  if (f.before) q = q.where('id', '<', f.before);
  if (f.detractorsOnly) q = q.where(sql<boolean>`nps <= 6 OR expectation = 'below' OR complaint`);
  const rows = await q.orderBy('id', 'desc').limit(f.limit + 1).execute();
  const items = rows.slice(0, f.limit);
  return { items, next: rows.length > f.limit ? String(items.at(-1)!.id) : null };
}

/**
 * The survey answers a case screen or a profile shows: every answer about this case, or that
 * opened it as a recovery case, or by this customer, with the questions' answers, the comment and
 * the case it was about.
 */
export async function surveyAnswers(ctx: Ctx, f: { caseId?: number; customerId?: number }) {
  staffActor(ctx);
  let q = ctx.db.selectFrom('survey_responses as r')
    .innerJoin('surveys', 'surveys.id', 'r.survey_id')
    .leftJoin('cases as about', 'about.id', 'r.case_id')
    .select(['r.id', 'surveys.name as surveyName', 'r.case_id as caseId', 'about.subject as caseSubject', 'r.recovery_case_id as recoveryCaseId',
      'r.answers', 'r.nps', 'r.ces', 'r.csat', 'r.stay', 'r.expectation', 'r.comment', 'r.complaint', 'r.completed_at as completedAt',
      'r.follow_up_outcome as followUpOutcome'])
    .where('r.completed_at', 'is not', null);
  if (f.caseId) { const id = f.caseId; q = q.where((eb) => eb.or([eb('r.case_id', '=', id), eb('r.recovery_case_id', '=', id)])); }
  if (f.customerId) q = q.where('r.customer_id', '=', f.customerId);
  const rows = await q.orderBy('r.id', 'desc').limit(50).execute();
  return rows.map((r) => ({ ...r, category: r.nps === null ? null : r.nps >= 9 ? 'promoter' : r.nps >= 7 ? 'passive' : 'detractor' }));
}
