/**
 * Getting events to webhook endpoints: at least once, in order per case, retried with backoff
 * for more than a day. A subscriber turns each event into one delivery row per matching
 * endpoint (in the event's transaction order, so row ids keep the case's order). The delivery
 * sweep sends only the oldest waiting delivery of each line (endpoint + case), so a case's
 * events never overtake each other, while different cases go out in parallel.
 *
 * A delivery is leased before the request and settled after it; if Kept dies in between, the
 * lease runs out and it goes again (receivers dedupe on webhook-id, the event's id).
 */
import http from 'node:http';
import https from 'node:https';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { Ctx } from '../core/context';
import { inTransaction } from '../core/context';
import { SECOND, MINUTE, HOUR } from '../core/clock';
import type { StoredEvent, Subscriber } from '../events';
import { notify } from '../notifications';
import { guardedLookup } from './guard';

/** Waits after each failed attempt: 14 retries over about 32 hours, then the endpoint is disabled. */
export const RETRY_SCHEDULE = [5 * SECOND, 10 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 8 * HOUR, 8 * HOUR];
const TIMEOUT_MS = 10_000;
const LEASE_MS = 30_000; // longer than a request may take (10 s), short enough to resend soon after a crash
const BATCH = 50;

const orderKey = (e: StoredEvent) => (e.caseId ? `case:${e.caseId}` : e.customerId ? `customer:${e.customerId}` : `event:${e.id}`);

/** Which endpoints get an event: those on, subscribed to its type, and registered before it happened. */
function receives(hook: { id: number; events: string[]; createdAt: Date }, e: StoredEvent): boolean {
  if (hook.createdAt > e.occurredAt) return false;
  // A test event goes to the endpoint it was made for, and nowhere else.
  if (e.type === 'webhook.test') return hook.id === Number(e.payload.webhookId);
  return hook.events.includes('*') || hook.events.includes(e.type);
}

async function fanOut(ctx: Ctx, events: StoredEvent[]) {
  const hooks = await ctx.db.selectFrom('webhooks').select(['id', 'events', 'created_at as createdAt']).where('active', '=', true).execute();
  if (!hooks.length) return;
  const now = ctx.clock.now();
  const rows = events.flatMap((e) => hooks.filter((h) => receives(h, e))
    .map((h) => ({ webhook_id: h.id, event_id: e.id, order_key: orderKey(e), next_attempt_at: now, created_at: now })));
  if (!rows.length) return;
  await ctx.db.insertInto('webhook_deliveries').values(rows).onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing()).execute();
}

export const webhookSubscribers: Subscriber[] = [{
  name: 'webhooks.fan-out',
  types: 'all',
  handle: (ctx, e) => fanOut(ctx, [e]),
  handleBatch: fanOut,
}];

/** The body receivers get: Standard Webhooks' envelope around the event's own payload. */
export function webhookBody(e: { id: number; type: string; version: number; occurredAt: Date; actorId: number | null; caseId: number | null; customerId: number | null; payload: unknown }) {
  return JSON.stringify({
    type: e.type,
    timestamp: e.occurredAt.toISOString(),
    data: { eventId: e.id, version: e.version, actorId: e.actorId, caseId: e.caseId, customerId: e.customerId, ...(e.payload as object) },
  });
}

interface Claimed {
  id: number; webhookId: number; attempts: number; url: string; secret: string; previousSecret: string | null; previousUntil: Date | null;
  eventId: number; type: string; version: number; occurredAt: Date; actorId: number | null; caseId: number | null; customerId: number | null; payload: unknown;
}

/** Timer: sends the deliveries that are due; returns how many were attempted. */
export async function deliverWebhooks(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const claimed = await claim(ctx, now);
  if (!claimed.length) return 0;
  const results = await Promise.all(claimed.map((d) => send(ctx, d)));
  await inTransaction({ ...ctx, actor: null }, async (tx) => {
    await settleDelivered(tx, claimed.flatMap((d, i) => (results[i]!.ok ? [{ d, o: results[i]! }] : [])));
    for (const [i, d] of claimed.entries()) if (!results[i]!.ok) await settle(tx, d, results[i]!);
  });
  return claimed.length;
}

/** The common case, every delivery of the round answered 2xx: one statement for all of them. */
async function settleDelivered(ctx: Ctx, done: { d: Claimed; o: Outcome }[]) {
  if (!done.length) return;
  const values = sql.join(done.map(({ d, o }) => sql`(${d.id}::bigint, ${o.status}::int, ${o.ms}::int)`));
  await sql`UPDATE webhook_deliveries w SET status = 'delivered', delivered_at = ${ctx.clock.now()}, attempts = w.attempts + 1,
      leased_until = NULL, last_status_code = v.code, last_error = NULL, last_duration_ms = v.ms
    FROM (VALUES ${values}) AS v(id, code, ms) WHERE w.id = v.id`.execute(ctx.db);
}

async function claim(ctx: Ctx, now: Date): Promise<Claimed[]> {
  const leaseUntil = new Date(now.getTime() + LEASE_MS);
  const { rows } = await sql<Claimed>`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.active
      WHERE d.status = 'pending' AND d.next_attempt_at <= ${now} AND (d.leased_until IS NULL OR d.leased_until < ${now})
        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = d.webhook_id AND e.order_key = d.order_key
                        AND e.status = 'pending' AND e.id < d.id)
      ORDER BY d.next_attempt_at, d.id LIMIT ${BATCH} FOR UPDATE OF d SKIP LOCKED)
    UPDATE webhook_deliveries d SET leased_until = ${leaseUntil}
    FROM due, webhooks w, domain_events ev
    WHERE d.id = due.id AND w.id = d.webhook_id AND ev.id = d.event_id
    RETURNING d.id, d.webhook_id AS "webhookId", d.attempts, w.url, w.secret, w.previous_secret AS "previousSecret",
      w.previous_secret_until AS "previousUntil", ev.id AS "eventId", ev.type, ev.version, ev.occurred_at AS "occurredAt",
      ev.actor_id AS "actorId", ev.case_id AS "caseId", ev.customer_id AS "customerId", ev.payload`.execute(ctx.db);
  return rows.sort((a, b) => a.id - b.id);
}

interface Outcome { ok: boolean; status: number | null; error: string | null; ms: number }

function send(ctx: Ctx, d: Claimed): Promise<Outcome> {
  const body = webhookBody({ ...d, id: d.eventId });
  const msgId = `evt_${d.eventId}`;
  const at = new Date();
  let signature = new Webhook(d.secret).sign(msgId, at, body);
  if (d.previousSecret && d.previousUntil && d.previousUntil > ctx.clock.now()) signature += ` ${new Webhook(d.previousSecret).sign(msgId, at, body)}`;
  const url = new URL(d.url);
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (o: Omit<Outcome, 'ms'>) => resolve({ ...o, ms: Math.round(performance.now() - started) });
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      timeout: TIMEOUT_MS,
      lookup: guardedLookup({ allowPrivate: ctx.config.webhooksAllowPrivate }),
      headers: {
        'content-type': 'application/json', 'user-agent': 'Kept-Webhooks/1', 'content-length': Buffer.byteLength(body),
        'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature,
      },
    }, (res) => {
      res.resume(); // the answer's body is not needed, only its status
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        // Redirects are not followed: an endpoint that moved must be registered again, by an admin.
        if (status >= 200 && status < 300) done({ ok: true, status, error: null });
        else done({ ok: false, status, error: status >= 300 && status < 400 ? `redirect to ${res.headers.location ?? '?'} not followed` : `answered ${status}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => done({ ok: false, status: null, error: e.message.slice(0, 500) }));
    req.end(body);
  });
}

async function settle(ctx: Ctx, d: Claimed, o: Outcome) {
  const now = ctx.clock.now();
  const attempts = d.attempts + 1;
  const base = { attempts, leased_until: null, last_status_code: o.status, last_error: o.error, last_duration_ms: o.ms };
  if (o.ok) {
    await ctx.db.updateTable('webhook_deliveries').set({ ...base, status: 'delivered', delivered_at: now }).where('id', '=', d.id).execute();
    return;
  }
  const wait = RETRY_SCHEDULE[attempts - 1];
  if (wait !== undefined) {
    await ctx.db.updateTable('webhook_deliveries').set({ ...base, next_attempt_at: new Date(now.getTime() + wait) }).where('id', '=', d.id).execute();
    return;
  }
  // Out of retries: the delivery is given up and the endpoint switched off until an admin looks.
  await ctx.db.updateTable('webhook_deliveries').set({ ...base, status: 'dead' }).where('id', '=', d.id).execute();
  const off = await ctx.db.updateTable('webhooks').set({ active: false, disabled_reason: `Delivery ${d.id} failed ${attempts} times over more than a day: ${o.error}`, updated_at: now })
    .where('id', '=', d.webhookId).where('active', '=', true).returning('url').executeTakeFirst();
  if (!off) return;
  const admins = await ctx.db.selectFrom('staff').select('id').where('role', '=', 'admin').where('active', '=', true).execute();
  for (const a of admins) await notify(ctx, a.id, 'webhook_disabled', `Webhook ${off.url} was switched off after a day of failed deliveries (${o.error})`, null);
}
