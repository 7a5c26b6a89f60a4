/**
 * Outgoing webhooks: admins register endpoints that receive the domain events they choose,
 * signed by the Standard Webhooks scheme. The secret is shown once, when it is made; rotating
 * it keeps the old one signing too for a day, so receivers can switch without losing events.
 */
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { requireCapability } from '../core/access';
import { Conflict, Invalid, NotFound } from '../core/errors';
import { DAY } from '../core/clock';
import { decodeCursor, toPage } from '../core/pagination';
import { appendEvents } from '../core/domain-events';
import { recordAudit } from '../audit';
import { EVENT_TYPES, isEventType } from '../events';
import { checkWebhookUrl } from './guard';

export const webhookColumns = ['webhooks.id', 'webhooks.url', 'webhooks.description', 'webhooks.events', 'webhooks.active',
  'webhooks.disabled_reason as disabledReason', 'webhooks.created_at as createdAt', 'webhooks.updated_at as updatedAt'] as const;

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

function checkEvents(events: string[]): string[] {
  const unknown = events.filter((t) => t !== '*' && !isEventType(t));
  if (unknown.length) {
    throw new Invalid('body.events', 'known', `Unknown event type${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Known: ${EVENT_TYPES.join(', ')}, or * for all`);
  }
  if (!events.length) throw new Invalid('body.events', 'required', 'Name at least one event type, or * for all');
  return [...new Set(events)].sort();
}

export async function getWebhook(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('webhooks').select(webhookColumns).where('webhooks.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Webhook', id);
  return row;
}

export async function listWebhooks(ctx: Ctx) {
  requireCapability(ctx.actor, 'org:admin');
  return ctx.db.selectFrom('webhooks').select(webhookColumns)
    .select((eb) => [
      eb.selectFrom('webhook_deliveries').select((d) => d.fn.countAll<number>().as('n')).whereRef('webhook_id', '=', 'webhooks.id').where('status', '=', 'pending').as('pending'),
      eb.selectFrom('webhook_deliveries').select('last_status_code').whereRef('webhook_id', '=', 'webhooks.id').where('attempts', '>', 0).orderBy('id', 'desc').limit(1).as('lastStatusCode'),
    ])
    .orderBy('webhooks.id').execute();
}

/** Registers an endpoint; the answer is the only time the signing secret is shown. */
export async function createWebhook(ctx: Ctx, input: { url: string; events: string[]; description?: string | null }) {
  const me = requireCapability(ctx.actor, 'org:admin');
  const events = checkEvents(input.events);
  const url = await checkWebhookUrl(input.url, { allowPrivate: ctx.config.webhooksAllowPrivate });
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const secret = newSecret();
    const { id } = await tx.db.insertInto('webhooks').values({
      url: url.toString(), events, description: input.description ?? null, secret, created_by: me.id, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    const row = await getWebhook(tx, id);
    await recordAudit(tx, 'webhook', id, 'create', null, row);
    return { ...row, secret };
  });
}

export async function updateWebhook(ctx: Ctx, id: number, patch: { url?: string; events?: string[]; description?: string | null; active?: boolean }) {
  requireCapability(ctx.actor, 'org:admin');
  if (!Object.values(patch).some((v) => v !== undefined)) throw new Invalid('body', 'nothing', 'Nothing to change: give url, events, description or active');
  const events = patch.events ? checkEvents(patch.events) : undefined;
  const url = patch.url ? (await checkWebhookUrl(patch.url, { allowPrivate: ctx.config.webhooksAllowPrivate })).toString() : undefined;
  return inTransaction(ctx, async (tx) => {
    const before = await getWebhook(tx, id);
    await tx.db.updateTable('webhooks').set({
      url, events, description: patch.description, active: patch.active,
      // Turning an endpoint back on clears why it was off; its waiting deliveries go out again.
      disabled_reason: patch.active === true ? null : undefined, updated_at: tx.clock.now(),
    }).where('id', '=', id).execute();
    if (patch.active === true) {
      await tx.db.updateTable('webhook_deliveries').set({ next_attempt_at: tx.clock.now() }).where('webhook_id', '=', id).where('status', '=', 'pending').execute();
    }
    const after = await getWebhook(tx, id);
    await recordAudit(tx, 'webhook', id, 'update', before, after);
    return after;
  });
}

export async function deleteWebhook(ctx: Ctx, id: number) {
  requireCapability(ctx.actor, 'org:admin');
  return inTransaction(ctx, async (tx) => {
    const before = await getWebhook(tx, id);
    await tx.db.deleteFrom('webhooks').where('id', '=', id).execute();
    await recordAudit(tx, 'webhook', id, 'delete', before, null);
  });
}

/** A new secret; the previous one keeps signing alongside for a day. */
export async function rotateSecret(ctx: Ctx, id: number) {
  requireCapability(ctx.actor, 'org:admin');
  return inTransaction(ctx, async (tx) => {
    const current = await tx.db.selectFrom('webhooks').select('secret').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new NotFound('Webhook', id);
    const secret = newSecret();
    const until = new Date(tx.clock.now().getTime() + DAY);
    await tx.db.updateTable('webhooks').set({ secret, previous_secret: current.secret, previous_secret_until: until, updated_at: tx.clock.now() }).where('id', '=', id).execute();
    await recordAudit(tx, 'webhook', id, 'rotate_secret', null, { previousSecretValidUntil: until });
    return { id, secret, previousSecretValidUntil: until };
  });
}

/** "Send test event": a webhook.test event that only this endpoint receives. */
export async function sendTestEvent(ctx: Ctx, id: number) {
  const me = requireCapability(ctx.actor, 'org:admin');
  return inTransaction(ctx, async (tx) => {
    const hook = await getWebhook(tx, id);
    await appendEvents(tx, [{ type: 'webhook.test', payload: { webhookId: hook.id, message: `A test from ${me.name}: this endpoint receives Kept's events.` } }]);
    return { queued: true };
  });
}

export async function listDeliveries(ctx: Ctx, webhookId: number, opts: { limit: number; cursor?: string; status?: string }) {
  requireCapability(ctx.actor, 'org:admin');
  await getWebhook(ctx, webhookId);
  const after = decodeCursor(opts.cursor);
  let q = ctx.db.selectFrom('webhook_deliveries').innerJoin('domain_events', 'domain_events.id', 'webhook_deliveries.event_id')
    .select(['webhook_deliveries.id', 'webhook_deliveries.event_id as eventId', 'domain_events.type as eventType', 'domain_events.case_id as caseId',
      'webhook_deliveries.status', 'webhook_deliveries.attempts', 'webhook_deliveries.next_attempt_at as nextAttemptAt',
      'webhook_deliveries.last_status_code as lastStatusCode', 'webhook_deliveries.last_error as lastError',
      'webhook_deliveries.last_duration_ms as lastDurationMs', 'webhook_deliveries.created_at as createdAt', 'webhook_deliveries.delivered_at as deliveredAt'])
    .where('webhook_deliveries.webhook_id', '=', webhookId);
  if (opts.status) q = q.where('webhook_deliveries.status', '=', opts.status as 'pending');
  if (after) q = q.where('webhook_deliveries.id', '<', after);
  return toPage(await q.orderBy('webhook_deliveries.id', 'desc').limit(opts.limit + 1).execute(), opts.limit);
}

/** Manual redelivery: the delivery goes out again now, whatever became of it before. */
export async function redeliver(ctx: Ctx, webhookId: number, deliveryId: number) {
  requireCapability(ctx.actor, 'org:admin');
  const row = await ctx.db.updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: ctx.clock.now(), leased_until: null })
    .where('id', '=', deliveryId).where('webhook_id', '=', webhookId).where('status', '<>', 'pending')
    .returning('id').executeTakeFirst();
  if (!row) {
    const exists = await ctx.db.selectFrom('webhook_deliveries').select('status').where('id', '=', deliveryId).where('webhook_id', '=', webhookId).executeTakeFirst();
    if (!exists) throw new NotFound('Delivery', deliveryId);
    throw new Conflict(`Delivery ${deliveryId} is already waiting to go out`);
  }
  return { id: deliveryId, status: 'pending' as const };
}
