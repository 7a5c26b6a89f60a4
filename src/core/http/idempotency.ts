/**
 * Idempotency-Key: a retried POST never creates twice. The key is stored in the same
 * transaction as the write it guards, so "done" and "remembered" cannot disagree; a concurrent
 * duplicate waits on the key's row and then replays the first answer.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../context';
import { Conflict, Invalid } from '../errors';

export async function runIdempotent<T>(
  ctx: Ctx,
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  fn: (ctx: Ctx) => Promise<T>,
) {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || !ctx.actor) {
    const body = await fn(ctx);
    return reply.status(status).send(body);
  }
  if (key.length > 200) throw new Invalid('header.idempotency-key', 'max_length', 'Idempotency-Key is at most 200 characters');
  const staffId = ctx.actor.id;
  const requestHash = createHash('sha256').update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
  const result = await ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('idempotency_keys')
      .values({ staff_id: staffId, key, request_hash: requestHash, status_code: 0, response: 'null' })
      .onConflict((oc) => oc.columns(['staff_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const prior = await trx
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'status_code', 'response'])
        .where('staff_id', '=', staffId)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      if (prior.request_hash !== requestHash) {
        throw new Conflict('This Idempotency-Key was already used for a different request', [
          { field: 'header.idempotency-key', rule: 'reused', message: 'use a new key for a new request' },
        ]);
      }
      return { replayed: true, status: prior.status_code, body: prior.response as unknown };
    }
    const body = await fn({ ...ctx, db: trx });
    const stored = JSON.parse(JSON.stringify(body ?? null)) as unknown;
    await trx
      .updateTable('idempotency_keys')
      .set({ status_code: status, response: JSON.stringify(stored) })
      .where('staff_id', '=', staffId)
      .where('key', '=', key)
      .execute();
    return { replayed: false, status, body: stored };
  });
  reply.header('idempotent-replayed', String(result.replayed));
  return reply.status(result.status).send(result.body);
}
