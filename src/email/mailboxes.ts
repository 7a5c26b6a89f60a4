/**
 * IMAP mailboxes to poll. The password is write-only: it is stored sealed (core/secrets.ts)
 * for the poller and never sent back.
 */
import type { Ctx } from '../core/context';
import { sealSecret } from '../core/secrets';
import { NotFound } from '../core/errors';
import { recordAudit } from '../audit';

const columns = ['id', 'name', 'host', 'port', 'secure', 'username', 'folder', 'move_to as moveTo', 'active', 'last_error as lastError', 'last_polled_at as lastPolledAt'] as const;

export interface MailboxInput { name: string; host: string; port: number; secure: boolean; username: string; password: string; folder: string; moveTo?: string | null; active: boolean }

export async function listMailboxes(ctx: Ctx) {
  return ctx.db.selectFrom('mailboxes').select(columns).orderBy('id').execute();
}

export async function addMailbox(ctx: Ctx, b: MailboxInput) {
  const row = await ctx.db.insertInto('mailboxes')
    .values({ name: b.name, host: b.host, port: b.port, secure: b.secure, username: b.username, password: sealSecret(b.password), folder: b.folder, move_to: b.moveTo ?? null, active: b.active })
    .returning(columns).executeTakeFirstOrThrow();
  await recordAudit(ctx, 'mailbox', row.id, 'create', null, row);
  return row;
}

export async function updateMailbox(ctx: Ctx, id: number, b: Partial<MailboxInput>) {
  const row = await ctx.db.updateTable('mailboxes')
    .set({ name: b.name, host: b.host, port: b.port, secure: b.secure, username: b.username, password: b.password === undefined ? undefined : sealSecret(b.password), folder: b.folder, move_to: b.moveTo, active: b.active })
    .where('id', '=', id).returning(columns).executeTakeFirst();
  if (!row) throw new NotFound('Mailbox', id);
  await recordAudit(ctx, 'mailbox', id, 'update', null, { ...b, password: b.password ? '(changed)' : undefined });
  return row;
}
