import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf, SESSION_COOKIE } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { csrfTokenFor } from '../core/http/csrf';
import { IdParams, Text } from '../core/http/schemas';
import { ROLES } from './schema';
import * as staff from './service';

const Email = z.email().max(320);
// Length and strength are the password policy's (password-policy.ts), with its reasons.
const Password = z.string().max(200);

const StaffBody = z.strictObject({
  name: Text(200),
  email: Email,
  role: z.enum(ROLES),
  departmentId: z.number().int().positive().nullable().optional(),
  teamId: z.number().int().positive().nullable().optional(),
  password: Password.optional(),
});

export function staffRoutes(app: App) {
  app.post('/auth/sign-in', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: 'Sign in; sets the session cookie', body: z.strictObject({ email: Email, password: z.string().min(1).max(200) }) },
  }, async (req, reply) => {
    const session = await staff.signIn(ctxOf(req), req.body.email, req.body.password, { ip: req.ip });
    reply.setCookie(SESSION_COOKIE, session.token, {
      path: '/', httpOnly: true, sameSite: 'lax', secure: req.server.kept.secureCookies || req.protocol === 'https', expires: session.expiresAt,
    });
    return { staff: session.staff, expiresAt: session.expiresAt, csrfToken: csrfTokenFor(session.token) };
  });

  app.post('/auth/sign-out', { config: { access: 'self' }, schema: { tags: ['auth'] } }, async (req, reply) => {
    if (req.token) await staff.signOut(ctxOf(req), req.token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/auth/me', { config: { access: 'self' }, schema: { tags: ['auth'] } }, async (req) => ({
    ...(await staff.getStaff(ctxOf(req), req.actor!.id)),
    // Pages that load after sign-in pick up the session's CSRF token here.
    ...(req.credential === 'session' ? { csrfToken: csrfTokenFor(req.token!) } : {}),
  }));

  app.post('/auth/password', {
    config: { access: 'self' },
    schema: { tags: ['auth'], body: z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: Password }) },
  }, async (req, reply) => {
    await staff.changePassword(ctxOf(req), req.body.currentPassword, req.body.newPassword, req.credential === 'session' ? req.token : null);
    return reply.status(204).send();
  });

  app.get('/auth/tokens', { config: { access: 'self' }, schema: { tags: ['auth'] } }, async (req) => ({ items: await staff.listApiTokens(ctxOf(req)) }));

  app.post('/auth/tokens', {
    config: { access: 'self' },
    schema: { tags: ['auth'], summary: 'Create a personal API token (shown once)', body: z.strictObject({ name: Text(100) }) },
  }, async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => staff.createApiToken(ctx, req.body.name)));

  app.delete('/auth/tokens/:id', { config: { access: 'self' }, schema: { tags: ['auth'], params: IdParams } }, async (req, reply) => {
    await staff.revokeApiToken(ctxOf(req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/staff', {
    config: { access: 'org:read' },
    schema: { tags: ['staff'], querystring: z.strictObject({ teamId: z.coerce.number().int().positive().optional(), role: z.enum(ROLES).optional(), active: z.enum(['true', 'false']).optional() }) },
  }, async (req) => ({
    items: await staff.listStaff(ctxOf(req), { teamId: req.query.teamId, role: req.query.role, active: req.query.active === undefined ? undefined : req.query.active === 'true' }),
  }));

  app.get('/staff/:id', { config: { access: 'org:read' }, schema: { tags: ['staff'], params: IdParams } }, async (req) => staff.getStaff(ctxOf(req), req.params.id));

  app.post('/staff', { config: { access: 'org:admin' }, schema: { tags: ['staff'], body: StaffBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => staff.createStaff(ctx, req.body)));

  app.patch('/staff/:id', {
    config: { access: 'org:admin' },
    schema: { tags: ['staff'], params: IdParams, body: StaffBody.partial().extend({
      active: z.boolean().optional(), available: z.boolean().optional(), openCaseCapacity: z.number().int().min(0).max(10_000).nullable().optional(),
    }) },
  }, async (req) => staff.updateStaff(ctxOf(req), req.params.id, req.body));

  app.put('/staff/me/availability', {
    config: { access: 'self' },
    schema: { tags: ['staff'], summary: 'Say whether you are available for new cases (routing skips you when not)', body: z.strictObject({ available: z.boolean() }) },
  }, async (req) => staff.setAvailability(ctxOf(req), req.body.available));
}
