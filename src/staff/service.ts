/**
 * Staff members: people in any department, each with one role. Signing in gives a session;
 * a personal API token does the same for scripts and integrations.
 */
import type { Ctx, Actor } from '../core/context';
import { inTransaction } from '../core/context';
import { Conflict, Invalid, NotFound, Unauthorized } from '../core/errors';
import { hashPassword, newToken, tokenHash, verifyPassword } from '../core/passwords';
import { staffActor } from '../core/access';
import { recordAudit, changedFields } from '../audit';
import type { Role } from './schema';
import { assertStrongPassword } from './password-policy';
import { claimSignInAttempt, signInSucceeded } from './sign-in-throttle';
import { credentialsChanged } from './actor-cache';

const SESSION_DAYS = 14;
/** A well-formed scrypt hash (same cost) that no password matches: unknown emails cost the same work. */
const DUMMY_HASH = 'scrypt$32768$8$1$S2VwdER1bW15U2FsdDAwMQ$2c7bLqZ8fJ3n4mVt9xRkQwYp1sHd6gNe0aUoTiCvBzE';
const columns = ['staff.id', 'staff.name', 'staff.email', 'staff.role', 'staff.department_id as departmentId',
  'staff.team_id as teamId', 'staff.active', 'staff.available', 'staff.open_case_capacity as openCaseCapacity', 'staff.created_at as createdAt'] as const;

export interface StaffInput {
  name: string;
  email: string;
  role: Role;
  departmentId?: number | null;
  teamId?: number | null;
  password?: string;
}

export async function listStaff(ctx: Ctx, opts: { teamId?: number; role?: Role; active?: boolean } = {}) {
  let q = ctx.db.selectFrom('staff').select(columns).orderBy('staff.name');
  if (opts.teamId) q = q.where('staff.team_id', '=', opts.teamId);
  if (opts.role) q = q.where('staff.role', '=', opts.role);
  if (opts.active !== undefined) q = q.where('staff.active', '=', opts.active);
  return q.execute();
}

export async function getStaff(ctx: Ctx, id: number) {
  const row = await ctx.db.selectFrom('staff').select(columns).where('staff.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound('Staff member', id);
  return row;
}

export async function createStaff(ctx: Ctx, input: StaffInput) {
  if (input.password) assertStrongPassword('body.password', input.password, input);
  return inTransaction(ctx, async (tx) => {
    await assertEmailFree(tx, input.email);
    const row = await tx.db
      .insertInto('staff')
      .values({
        name: input.name,
        email: input.email,
        role: input.role,
        department_id: input.departmentId ?? null,
        team_id: input.teamId ?? null,
        password_hash: input.password ? await hashPassword(input.password) : null,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    await recordAudit(tx, 'staff', row.id, 'create', null, row);
    return row;
  });
}

async function assertEmailFree(ctx: Ctx, email: string, exceptId?: number) {
  let q = ctx.db.selectFrom('staff').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()));
  if (exceptId) q = q.where('id', '<>', exceptId);
  if (await q.executeTakeFirst()) {
    throw new Conflict(`A staff member with ${email} already exists`, [{ field: 'body.email', rule: 'unique', message: 'already in use' }]);
  }
}

export async function updateStaff(ctx: Ctx, id: number, patch: Partial<StaffInput> & { active?: boolean; available?: boolean; openCaseCapacity?: number | null }) {
  // Name, role, team, department and being active are what a request acts as: forget what was remembered.
  try {
    return await changeStaff(ctx, id, patch);
  } finally {
    credentialsChanged();
  }
}

async function changeStaff(ctx: Ctx, id: number, patch: Partial<StaffInput> & { active?: boolean; available?: boolean; openCaseCapacity?: number | null }) {
  return inTransaction(ctx, async (tx) => {
    const before = await getStaff(tx, id);
    if (patch.password) assertStrongPassword('body.password', patch.password, { email: patch.email ?? before.email, name: patch.name ?? before.name });
    if (patch.email) await assertEmailFree(tx, patch.email, id);
    const row = await tx.db
      .updateTable('staff')
      .set({
        name: patch.name,
        email: patch.email,
        role: patch.role,
        department_id: patch.departmentId,
        team_id: patch.teamId,
        active: patch.active,
        available: patch.available,
        open_case_capacity: patch.openCaseCapacity,
        password_hash: patch.password ? await hashPassword(patch.password) : undefined,
      })
      .where('id', '=', id)
      .returning(columns)
      .executeTakeFirstOrThrow();
    // A reset password or a deactivation ends every way in; reactivation brings none of them back.
    if (patch.active === false || patch.password) await revokeAllCredentials(tx, id);
    const diff = changedFields(before, row);
    await recordAudit(tx, 'staff', id, 'update', diff.before, diff.after);
    return row;
  });
}

/**
 * Checks email and password, throttled per account and per address (see sign-in-throttle.ts).
 * Deliberately not one transaction: a failure must stay counted although the sign-in throws.
 */
export async function signIn(ctx: Ctx, email: string, password: string, from: { ip?: string } = {}) {
  const attempt = await claimSignInAttempt(ctx, email, from.ip);
  const row = await ctx.db
    .selectFrom('staff')
    .select(['id', 'password_hash', 'active'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  // Same answer, and the same scrypt work, for unknown email, wrong password and disabled
  // account: neither the words nor the timing tell which accounts exist.
  const verified = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  if (!row?.password_hash || !row.active || !verified) throw new Unauthorized('Email or password is not right');
  await signInSucceeded(ctx, attempt);
  const { token, hash } = newToken('ks');
  const expiresAt = new Date(ctx.clock.now().getTime() + SESSION_DAYS * 86_400_000);
  await ctx.db.insertInto('sessions').values({ token_hash: hash, staff_id: row.id, expires_at: expiresAt }).execute();
  return { token, expiresAt, staff: await getStaff(ctx, row.id) };
}

/** Ends whatever credential the caller used: the session, or the API token itself. */
export async function signOut(ctx: Ctx, token: string) {
  if (token.startsWith('kt_')) {
    await ctx.db.updateTable('api_tokens').set({ revoked_at: ctx.clock.now() }).where('token_hash', '=', tokenHash(token)).where('revoked_at', 'is', null).execute();
  } else {
    await ctx.db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
  }
  credentialsChanged();
}

/**
 * A new password ends every other session and every API token: whoever learnt the old one
 * is out. The session it was changed from (if any) stays signed in.
 */
export async function changePassword(ctx: Ctx, current: string, next: string, keepSession?: string | null) {
  const me = staffActor(ctx);
  const row = await ctx.db.selectFrom('staff').select(['password_hash', 'email', 'name']).where('id', '=', me.id).executeTakeFirstOrThrow();
  if (!row.password_hash || !(await verifyPassword(current, row.password_hash))) {
    throw new Invalid('body.currentPassword', 'mismatch', 'The current password is not right');
  }
  assertStrongPassword('body.newPassword', next, row);
  const hash = await hashPassword(next);
  await inTransaction(ctx, async (tx) => {
    await tx.db.updateTable('staff').set({ password_hash: hash }).where('id', '=', me.id).execute();
    await revokeAllCredentials(tx, me.id, keepSession && !keepSession.startsWith('kt_') ? keepSession : null);
    await recordAudit(tx, 'staff', me.id, 'change_password', null, null);
  });
  credentialsChanged();
}

async function revokeAllCredentials(ctx: Ctx, staffId: number, exceptSession: string | null = null) {
  await ctx.db.deleteFrom('sessions').where('staff_id', '=', staffId)
    .$if(!!exceptSession, (q) => q.where('token_hash', '<>', tokenHash(exceptSession!)))
    .execute();
  await ctx.db.updateTable('api_tokens').set({ revoked_at: ctx.clock.now() }).where('staff_id', '=', staffId).where('revoked_at', 'is', null).execute();
}

/** Finds who is behind a session cookie or a bearer token; null if nobody (or expired/revoked). */
export async function actorForToken(ctx: Ctx, token: string): Promise<Actor | null> {
  const hash = tokenHash(token);
  const now = ctx.clock.now();
  const base = ctx.db
    .selectFrom('staff')
    .select(['staff.id', 'staff.name', 'staff.role', 'staff.team_id as teamId', 'staff.department_id as departmentId'])
    .where('staff.active', '=', true);
  const row = token.startsWith('kt_')
    ? await base
        .innerJoin('api_tokens', 'api_tokens.staff_id', 'staff.id')
        .where('api_tokens.token_hash', '=', hash)
        .where('api_tokens.revoked_at', 'is', null)
        .executeTakeFirst()
    : await base
        .innerJoin('sessions', 'sessions.staff_id', 'staff.id')
        .where('sessions.token_hash', '=', hash)
        .where('sessions.expires_at', '>', now)
        .executeTakeFirst();
  return row ?? null;
}

export async function createApiToken(ctx: Ctx, name: string) {
  const me = staffActor(ctx);
  const { token, hash } = newToken('kt');
  const row = await ctx.db
    .insertInto('api_tokens')
    .values({ staff_id: me.id, name, token_hash: hash })
    .returning(['id', 'name', 'created_at as createdAt'])
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, 'staff', me.id, 'create_api_token', null, { tokenId: row.id, name });
  return { ...row, token };
}

export async function listApiTokens(ctx: Ctx) {
  const me = staffActor(ctx);
  return ctx.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at as createdAt', 'last_used_at as lastUsedAt', 'revoked_at as revokedAt'])
    .where('staff_id', '=', me.id)
    .orderBy('id')
    .execute();
}

export async function revokeApiToken(ctx: Ctx, id: number) {
  const me = staffActor(ctx);
  const res = await ctx.db
    .updateTable('api_tokens')
    .set({ revoked_at: ctx.clock.now() })
    .where('id', '=', id)
    .where('staff_id', '=', me.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  credentialsChanged();
  if (!res.numUpdatedRows) throw new NotFound('API token', id);
  await recordAudit(ctx, 'staff', me.id, 'revoke_api_token', null, { tokenId: id });
}

/** The person a staff member answers to: their team's lead, else a manager of their department. */
export async function leadOf(ctx: Ctx, staffId: number): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('staff')
    .leftJoin('teams', 'teams.id', 'staff.team_id')
    .select(['teams.lead_id as leadId', 'staff.department_id as departmentId'])
    .where('staff.id', '=', staffId)
    .executeTakeFirst();
  if (row?.leadId && row.leadId !== staffId) return row.leadId;
  const manager = await ctx.db
    .selectFrom('staff')
    .select('id')
    .where('role', '=', 'manager')
    .where('active', '=', true)
    .$if(!!row?.departmentId, (q) => q.where('department_id', '=', row!.departmentId!))
    .orderBy('id')
    .executeTakeFirst();
  return manager?.id ?? null;
}

/** Available or not for new cases (routing skips those who are not); each person sets their own. */
export async function setAvailability(ctx: Ctx, available: boolean) {
  const me = staffActor(ctx);
  return inTransaction(ctx, async (tx) => {
    const before = await getStaff(tx, me.id);
    await tx.db.updateTable('staff').set({ available }).where('id', '=', me.id).execute();
    if (before.available !== available) await recordAudit(tx, 'staff', me.id, 'set_availability', { available: before.available }, { available });
    return getStaff(tx, me.id);
  });
}
