/**
 * /contact: the public web form (framable by the organisation's own site), and /contact.js, the
 * snippet that inserts it. Posts come as multipart (with files) or form-encoded; a post from
 * another site's page is refused by its Origin.
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { DomainError, TooManyRequests } from '../core/errors';
import { getSettings } from '../org';
import { EMBEDDABLE_PAGE_CSP, ensureFormParser, formOf, languageFromHeader, languageOf, UPLOAD_BODY_LIMIT, words, type Language } from '../portal';
import { contactOptions, submitContact } from './service';
import { contactPage, embedScript, receivedPage, thanksPage } from './page';

const ContactForm = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  phone: z.string().trim().max(40).optional(),
  subject: z.string().trim().min(1).max(300),
  message: z.string().trim().min(1).max(20_000),
  type: z.string().trim().min(1).max(100).default('question'),
  touchpoint: z.string().trim().max(100).optional(),
});

export function contactPageRoutes(app: App) {
  ensureFormParser(app);
  const onSend = async (_req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('content-security-policy', EMBEDDABLE_PAGE_CSP).header('cache-control', 'no-store');
    return payload;
  };
  const opts = { onSend, config: { access: 'public' as const, embeddable: true }, schema: { hide: true } };
  const languageFor = (req: FastifyRequest, form?: Record<string, string>) =>
    languageOf(form?.lang) ?? languageOf((req.query as Record<string, string> | undefined)?.lang) ?? languageFromHeader(req.headers['accept-language']);
  const render = async (req: FastifyRequest, language: Language, values?: Record<string, string>, error?: { field: string; message: string }) => {
    const ctx = ctxOf(req);
    const [settings, options] = await Promise.all([getSettings(ctx), contactOptions(ctx)]);
    return contactPage({ language, org: settings.name, ...options, values, error });
  };

  app.get('/contact', opts, async (req, reply) => reply.type('text/html').send(await render(req, languageFor(req))));

  app.post('/contact', { ...opts, bodyLimit: UPLOAD_BODY_LIMIT }, async (req, reply) => {
    const form = formOf(req.body);
    const { fields } = form;
    const language = languageFor(req, fields);
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) return reply.status(403).type('text/html').send(await render(req, language, undefined, { field: 'form', message: 'Cross-site request refused' }));
    const settings = await getSettings(ctxOf(req));
    if (fields.website) return reply.type('text/html').send(thanksPage(language, settings.name)); // the honeypot
    const parsed = ContactForm.safeParse(fields);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reply.status(400).type('text/html').send(await render(req, language, fields, { field: String(issue.path[0] ?? 'form'), message: `${String(issue.path[0] ?? '')}: ${issue.message}` }));
    }
    try {
      const result = await submitContact(ctxOf(req), { ...parsed.data, language, ip: req.ip, files: form.files.filter((f) => f.field === 'attachments') });
      return reply.status(201).type('text/html').send(receivedPage(result));
    } catch (e) {
      if (e instanceof TooManyRequests) {
        return reply.status(429).header('retry-after', String(e.retryAfterSeconds)).type('text/html')
          .send(await render(req, language, fields, { field: 'form', message: words(language).tooMany }));
      }
      if (e instanceof DomainError && e.status < 500) {
        const field = e.problems[0]?.field ?? 'form';
        return reply.status(e.status).type('text/html').send(await render(req, language, fields, { field, message: e.problems[0]?.message ?? e.message }));
      }
      throw e;
    }
  });

  app.get('/contact.js', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').header('cross-origin-resource-policy', 'cross-origin')
      .send(embedScript(req.server.kept.config.publicUrl)));
}

function sameHost(origin: string, host: string | undefined) {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false;
  }
}
