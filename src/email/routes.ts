import fs from 'node:fs';
import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Text } from '../core/http/schemas';
import { NotFound } from '../core/errors';
import { getCase } from '../cases';
import { emailsOfCase } from '../outbox';
import { inboundLog, quarantined, rawMessage, reprocess } from './ingest';
import { attachmentMaxBytes, attachmentPath, attachToReply } from './attachments';
import { addMailbox, listMailboxes, updateMailbox } from './mailboxes';

const Limit = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const MailboxBody = z.strictObject({
  name: Text(200),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(true),
  username: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
  folder: z.string().min(1).max(255).default('INBOX'),
  moveTo: z.string().min(1).max(255).nullable().optional(),
  active: z.boolean().default(true),
});

export function emailRoutes(app: App, hooks: { mailboxesChanged: () => void }) {
  app.get('/emails', { config: { access: 'org:admin' }, schema: { tags: ['email'], summary: 'Inbound mail log', querystring: Limit } },
    async (req) => ({ items: await inboundLog(ctxOf(req), req.query.limit) }));
  app.get('/emails/quarantine', { config: { access: 'org:admin' }, schema: { tags: ['email'], summary: 'Messages that could not be processed, with the reason', querystring: Limit } },
    async (req) => ({ items: await quarantined(ctxOf(req), req.query.limit) }));
  app.get('/emails/:id/raw', { config: { access: 'org:admin' }, schema: { tags: ['email'], params: IdParams } }, async (req, reply) =>
    reply.type('message/rfc822').header('content-disposition', `attachment; filename="message-${req.params.id}.eml"`).send(await rawMessage(ctxOf(req), req.params.id)));
  app.post('/emails/:id/reprocess', { config: { access: 'org:admin' }, schema: { tags: ['email'], params: IdParams } },
    async (req) => reprocess(ctxOf(req), req.params.id));

  app.get('/cases/:id/emails', { config: { access: 'cases:read' }, schema: { tags: ['email'], summary: 'Mail sent on this case and its delivery status', params: IdParams } }, async (req) => {
    const ctx = ctxOf(req);
    await getCase(ctx, req.params.id);
    return { items: await emailsOfCase(ctx, req.params.id) };
  });

  // A file for the reply being written: the raw bytes as the body, the name in the query.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: attachmentMaxBytes() }, (_req, body, done) => done(null, body));
  app.post('/cases/:id/attachments', {
    config: { access: 'cases:work', bodyTypes: ['application/octet-stream'] },
    schema: {
      tags: ['email'], params: IdParams,
      summary: 'Upload a file to attach to a reply (raw body, Content-Type: application/octet-stream; the type is detected from the bytes); send its id in the reply\'s attachmentIds',
      querystring: z.strictObject({ filename: z.string().trim().min(1).max(255).default('attachment'), type: z.string().trim().max(200).optional() }),
    },
  }, async (req, reply) => reply.status(201).send(await attachToReply(ctxOf(req), req.params.id, { filename: req.query.filename, declaredType: req.query.type ?? null, content: req.body })));

  app.get('/attachments/:id', { config: { access: 'cases:read' }, schema: { tags: ['email'], params: IdParams } }, async (req, reply) => {
    const a = await ctxOf(req).db.selectFrom('attachments').selectAll().where('id', '=', req.params.id).executeTakeFirst();
    if (!a) throw new NotFound('Attachment', req.params.id);
    const file = attachmentPath(a.sha256);
    if (!fs.existsSync(file)) throw new NotFound('Attachment file', req.params.id);
    return reply
      .type(a.content_type)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `attachment; filename="${a.filename.replace(/["\\\r\n]/g, '_')}"`)
      .send(fs.createReadStream(file));
  });

  app.get('/mailboxes', { config: { access: 'org:admin' }, schema: { tags: ['email'] } }, async (req) => ({ items: await listMailboxes(ctxOf(req)) }));
  app.post('/mailboxes', { config: { access: 'org:admin' }, schema: { tags: ['email'], summary: 'Poll an IMAP mailbox', body: MailboxBody } }, async (req, reply) =>
    runIdempotent(ctxOf(req), req, reply, 201, async (ctx) => {
      const row = await addMailbox(ctx, req.body);
      hooks.mailboxesChanged();
      return row;
    }));
  app.patch('/mailboxes/:id', { config: { access: 'org:admin' }, schema: { tags: ['email'], params: IdParams, body: MailboxBody.partial() } }, async (req) => {
    const row = await updateMailbox(ctxOf(req), req.params.id, req.body);
    hooks.mailboxesChanged();
    return row;
  });
}
