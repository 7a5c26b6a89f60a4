/**
 * /portal: the customer's pages. Customers are not staff: their own cookie (kept_portal,
 * HttpOnly, SameSite=Lax, Secure when configured) and session table. Every form carries a
 * token bound to the session, and a cross-site Origin is refused, so another site cannot make
 * a signed-in customer's browser write anything. Another customer's id answers 404, as a
 * made-up one does.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { csrfTokenFor } from '../core/http/csrf';
import { DomainError, Forbidden, TooManyRequests } from '../core/errors';
import { getSettings } from '../org';
import { attachmentPath } from '../email';
import { questionText, type Question } from '../surveys/questions';
import * as portal from './service';
import { casePage, casesPage, confirmSignInPage, messagePage, profilePage, signInPage, surveyPage, type View } from './page';
import { PAGE_CSP } from './html';
import { boundaryOf, parseMultipart, type MultipartForm } from './multipart';
import { MAX_FILE_BYTES, MAX_FILES } from './uploads';
import { languageFromHeader, languageOf, LANGUAGES, words, type Language } from './words';

export const PORTAL_COOKIE = 'kept_portal';

/** Every customer-facing route, as registered (the security test walks this list). */
export const customerRoutes: { method: string; url: string }[] = [];

const Id = z.coerce.number().int().positive().max(2 ** 53);
const LinkToken = z.string().regex(/^pl_[A-Za-z0-9_-]{43}$/);
type Form = Record<string, string | undefined>;

export const UPLOAD_BODY_LIMIT = MAX_FILES * MAX_FILE_BYTES + 256 * 1024;

/** The customer's pages post forms: form-encoded, or multipart when files come along. */
export function ensureFormParser(app: App) {
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }
  if (!app.hasContentTypeParser('multipart/form-data')) {
    app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: UPLOAD_BODY_LIMIT }, (req, body, done) => {
      const boundary = boundaryOf(req.headers['content-type']);
      if (!boundary) return done(Object.assign(new Error('multipart without a boundary'), { statusCode: 400 }));
      try {
        done(null, parseMultipart(body as Buffer, boundary));
      } catch (e) {
        done(Object.assign(e as Error, { statusCode: 400 }));
      }
    });
  }
}

/** Fields and files of a posted form, whichever way it was encoded. */
export function formOf(body: unknown): MultipartForm {
  if (body && typeof body === 'object' && 'fields' in body && 'files' in body) return body as MultipartForm;
  return { fields: (body ?? {}) as Record<string, string>, files: [] };
}

function sameOrigin(req: FastifyRequest) {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  try {
    const url = new URL(origin);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host === req.headers.host) return;
  } catch { /* refused below */ }
  throw new Forbidden('Cross-site request refused');
}

export function portalPageRoutes(app: App) {
  ensureFormParser(app);
  app.addHook('onRoute', (r) => {
    if (r.url.startsWith('/portal') && !r.url.startsWith('/portal/sign-in') && r.url !== '/portal/link') {
      for (const m of [r.method].flat()) if (m !== 'HEAD') customerRoutes.push({ method: m, url: r.url });
    }
  });
  const onSend = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store');
    return payload;
  };
  const opts = { onSend, config: { access: 'public' as const }, schema: { hide: true } };

  const view = async (req: FastifyRequest, language: Language, csrf?: string): Promise<View> => {
    const s = await getSettings(ctxOf(req));
    return { language, org: s.name, timeZone: s.timeZone, csrf };
  };
  const anonymousLanguage = (req: FastifyRequest) => languageOf((req.query as Form | undefined)?.lang) ?? languageFromHeader(req.headers['accept-language']);

  /** The signed-in customer, or null. */
  const who = async (req: FastifyRequest) => {
    const token = req.cookies[PORTAL_COOKIE];
    if (!token || token.length > 200) return null;
    const customerId = await portal.sessionCustomer(ctxOf(req), token);
    if (!customerId) return null;
    const profile = await portal.myProfile(ctxOf(req), customerId);
    const language = languageOf(profile.language) ?? 'en';
    return { customerId, profile, token, v: await view(req, language, csrfTokenFor(token)) };
  };
  type Who = NonNullable<Awaited<ReturnType<typeof who>>>;

  const notFound = async (req: FastifyRequest, reply: FastifyReply, me: Who | null) => {
    const v = me?.v ?? await view(req, anonymousLanguage(req));
    const w = words(v.language);
    return reply.status(404).type('text/html').send(messagePage(v, w.notFound, w.notFoundText, !!me));
  };
  /** Errors as pages in the customer's language; 404 says nothing about whose the thing is. */
  const failed = async (req: FastifyRequest, reply: FastifyReply, me: Who | null, e: unknown) => {
    if (e instanceof z.ZodError) e = new DomainError(400, 'Invalid request', e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!(e instanceof DomainError)) throw e;
    if (e.status === 404) return notFound(req, reply, me);
    const v = me?.v ?? await view(req, anonymousLanguage(req));
    const w = words(v.language);
    if (e instanceof TooManyRequests) reply.header('retry-after', String(e.retryAfterSeconds));
    const text = e instanceof TooManyRequests ? w.tooMany : e.message;
    return reply.status(e.status).type('text/html').send(messagePage(v, e.title, text, !!me));
  };

  /** A signed-in customer's page or action; anonymous visitors go to the sign-in page. */
  const signedIn = (fn: (req: FastifyRequest, reply: FastifyReply, me: Who) => Promise<unknown>, write = false) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const me = await who(req);
      if (!me) {
        if (write) return reply.status(401).type('text/html').send(signInPage(await view(req, anonymousLanguage(req))));
        return reply.redirect('/portal', 303);
      }
      try {
        if (write) {
          sameOrigin(req);
          if (formOf(req.body).fields.csrf !== me.v.csrf) throw new Forbidden('This form has expired: reload the page and try again');
        }
        return await fn(req, reply, me);
      } catch (e) {
        return failed(req, reply, me, e);
      }
    };
  const idOf = (req: FastifyRequest) => Id.parse((req.params as { id: string }).id);
  const form = (req: FastifyRequest): Form => formOf(req.body).fields;
  const html = (reply: FastifyReply, page: string) => reply.type('text/html').send(page);

  app.get('/portal', opts, async (req, reply) => {
    const me = await who(req);
    if (!me) return html(reply, signInPage(await view(req, anonymousLanguage(req))));
    const [cases, surveys] = await Promise.all([portal.myCases(ctxOf(req), me.customerId), portal.mySurveys(ctxOf(req), me.customerId)]);
    return html(reply, casesPage(me.v, cases, surveys, `${me.profile.salutation}`));
  });

  app.post('/portal/link', opts, async (req, reply) => {
    const f = form(req);
    const language = languageOf(f.lang) ?? anonymousLanguage(req);
    try {
      sameOrigin(req);
      const email = z.email().max(320).parse(f.email?.trim());
      await portal.requestLink(ctxOf(req), { email, language, ip: req.ip });
      return html(reply, signInPage(await view(req, language), { sent: true }));
    } catch (e) {
      if (e instanceof z.ZodError) return reply.status(400).type('text/html').send(signInPage(await view(req, language), { error: words(language).email }));
      return failed(req, reply, null, e);
    }
  });

  // Opening the link only shows a button: mail scanners open links too, and must not spend it.
  app.get('/portal/sign-in/:token', opts, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    const language = anonymousLanguage(req);
    if (!LinkToken.safeParse(token).success) return reply.status(404).type('text/html').send(signInPage(await view(req, language), { invalid: true }));
    return html(reply, confirmSignInPage(await view(req, language), token));
  });
  app.post('/portal/sign-in/:token', opts, async (req, reply) => {
    const token = (req.params as { token: string }).token;
    try {
      sameOrigin(req);
      if (!LinkToken.safeParse(token).success) throw new DomainError(404, 'Not found', 'no such link');
      const remember = form(req).remember === '1';
      const session = await portal.signInWithLink(ctxOf(req), token, remember);
      reply.setCookie(PORTAL_COOKIE, session.token, {
        path: '/portal', httpOnly: true, sameSite: 'lax', secure: req.server.kept.secureCookies,
        ...(remember ? { expires: session.expiresAt } : {}),
      });
      return reply.redirect('/portal', 303);
    } catch (e) {
      if (e instanceof DomainError && e.status === 404) return reply.status(404).type('text/html').send(signInPage(await view(req, anonymousLanguage(req)), { invalid: true }));
      return failed(req, reply, null, e);
    }
  });

  app.post('/portal/sign-out', opts, signedIn(async (req, reply, me) => {
    await portal.signOut(ctxOf(req), me.token);
    reply.clearCookie(PORTAL_COOKIE, { path: '/portal' });
    return reply.redirect('/portal', 303);
  }, true));

  app.get('/portal/cases/:id', opts, signedIn(async (req, reply, me) => {
    const id = idOf(req);
    const c = await portal.myCase(ctxOf(req), me.customerId, id);
    await portal.markRepliesViewed(ctxOf(req), me.customerId, id);
    const done = (req.query as Form).done;
    const w = words(me.v.language) as Record<string, string>;
    return html(reply, casePage(me.v, c, done && ['replied', 'closed', 'reopened', 'repeatThanks'].includes(done) ? w[done] : undefined));
  }));

  const act = (path: string, done: string, fn: (req: FastifyRequest, me: Who, id: number) => Promise<unknown>) =>
    app.post(`/portal/cases/:id/${path}`, { ...opts, bodyLimit: UPLOAD_BODY_LIMIT }, signedIn(async (req, reply, me) => {
      const id = idOf(req);
      await fn(req, me, id);
      return reply.redirect(`/portal/cases/${id}?done=${done}`, 303);
    }, true));
  act('reply', 'replied', (req, me, id) => portal.replyToMyCase(ctxOf(req), me.customerId, id, z.string().trim().min(1).max(20_000).parse(form(req).body),
    formOf(req.body).files.filter((f) => f.field === 'attachments')));
  act('close', 'closed', (req, me, id) => portal.closeMyCase(ctxOf(req), me.customerId, id));
  act('reopen', 'reopened', (req, me, id) => portal.reopenMyCase(ctxOf(req), me.customerId, id));
  act('repeat', 'repeatThanks', (req, me, id) => portal.flagRepeat(ctxOf(req), me.customerId, id, z.string().trim().max(2_000).parse(form(req).note ?? '') || null));

  app.get('/portal/attachments/:id', opts, signedIn(async (req, reply, me) => {
    const a = await portal.myAttachment(ctxOf(req), me.customerId, idOf(req));
    const file = attachmentPath(a.sha256);
    if (!fs.existsSync(file)) return notFound(req, reply, me);
    // Never rendered by the browser: a download, with a type that cannot run as a page.
    const safeType = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)$/.test(a.contentType) ? a.contentType : 'application/octet-stream';
    return reply.type(safeType)
      .header('content-disposition', `attachment; filename="${a.filename.replace(/[^\w.\- ]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(a.filename)}`)
      .send(fs.createReadStream(file));
  }));

  app.get('/portal/profile', opts, signedIn(async (req, reply, me) => html(reply, profilePage(me.v, me.profile, (req.query as Form).done ? words(me.v.language).saved : undefined))));
  app.post('/portal/profile', opts, signedIn(async (req, reply, me) => {
    const f = form(req);
    const text = (max: number) => z.string().trim().max(max).transform((s) => s || null);
    const patch = z.object({
      title: text(50), givenName: text(100), familyName: text(100),
      language: z.enum(LANGUAGES), preferredChannel: z.enum(['email', 'phone', 'web']),
      phones: z.string().max(500).transform((s) => s.split(/\r?\n/).map((p) => p.trim()).filter(Boolean)).pipe(z.array(z.string().max(40)).max(5)),
    }).parse({ title: f.title ?? '', givenName: f.givenName ?? '', familyName: f.familyName ?? '', language: f.language, preferredChannel: f.preferredChannel, phones: f.phones ?? '' });
    await portal.updateMyProfile(ctxOf(req), me.customerId, { ...patch, firstNameOk: f.firstNameOk === '1' });
    return reply.redirect('/portal/profile?done=1', 303);
  }, true));

  app.get('/portal/surveys/:id', opts, signedIn(async (req, reply, me) => {
    const s = await portal.mySurvey(ctxOf(req), me.customerId, idOf(req));
    const questions = (s.questions as Question[]).map((q) => ({ kind: q.kind, text: questionText(q, me.v.language, me.v.org) }));
    return html(reply, surveyPage(me.v, s.id, questions));
  }));
  app.post('/portal/surveys/:id', opts, signedIn(async (req, reply, me) => {
    const { csrf: _csrf, ...answers } = form(req);
    await portal.answerMySurvey(ctxOf(req), me.customerId, idOf(req), Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== '')));
    const w = words(me.v.language);
    return html(reply, messagePage(me.v, w.surveys, w.surveyThanks, true));
  }, true));
}
