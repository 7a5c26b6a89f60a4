import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { runIdempotent } from '../core/http/idempotency';
import { IdParams, Text } from '../core/http/schemas';
import * as org from './service';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use HH:MM, 24-hour');
const Interval = z.tuple([HHMM, HHMM]).refine(([a, b]) => a < b, 'an interval must end after it starts');
const Day = z.array(Interval).max(6);
const BusinessHours = z.strictObject({ mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day, sun: Day }).partial();

const SettingsBody = z.strictObject({
  name: Text(200),
  timeZone: z.string().min(1).max(64),
  businessHours: BusinessHours,
  handoverExpiryMinutes: z.number().int().min(1).max(60 * 24 * 30),
  commitmentWarningMinutes: z.number().int().min(0).max(60 * 24 * 14),
  supportAddresses: z.array(z.email().max(320)).max(50),
  approvalResponseMinutes: z.number().int().min(1).max(60 * 24 * 14),
  recoveryFollowUpDays: z.number().int().min(0).max(90),
  surveyCooldownDays: z.number().int().min(0).max(365),
  inboundTeamId: z.number().int().positive().nullable(),
  portalReopenDays: z.number().int().min(0).max(365),
}).partial();

const IsoDate = z.iso.date();

const DepartmentBody = z.strictObject({
  name: Text(200),
  description: z.string().max(2000).nullable().optional(),
  servesExternalCustomers: z.boolean().optional(),
});

const TeamBody = z.strictObject({
  name: Text(200),
  departmentId: z.number().int().positive().nullable().optional(),
  leadId: z.number().int().positive().nullable().optional(),
  autoAssign: z.boolean().optional(),
  openCaseCapacity: z.number().int().min(1).max(10_000).optional(),
});

export function orgRoutes(app: App) {
  app.get('/settings', { config: { access: 'org:read' }, schema: { tags: ['organisation'] } }, async (req) => org.getSettings(ctxOf(req)));
  app.patch('/settings', { config: { access: 'org:admin' }, schema: { tags: ['organisation'], body: SettingsBody } },
    async (req) => org.updateSettings(ctxOf(req), req.body));

  app.get('/holidays', { config: { access: 'org:read' }, schema: { tags: ['organisation'] } }, async (req) => ({ items: await org.listHolidays(ctxOf(req)) }));
  app.put('/holidays/:day', {
    config: { access: 'org:admin' },
    schema: { tags: ['organisation'], params: z.strictObject({ day: IsoDate }), body: z.strictObject({ name: Text(200) }) },
  }, async (req) => org.setHoliday(ctxOf(req), req.params.day, req.body.name));
  app.delete('/holidays/:day', { config: { access: 'org:admin' }, schema: { tags: ['organisation'], params: z.strictObject({ day: IsoDate }) } },
    async (req, reply) => {
      await org.removeHoliday(ctxOf(req), req.params.day);
      return reply.status(204).send();
    });

  app.get('/departments', { config: { access: 'org:read' }, schema: { tags: ['organisation'] } }, async (req) => ({ items: await org.listDepartments(ctxOf(req)) }));
  app.post('/departments', { config: { access: 'org:admin' }, schema: { tags: ['organisation'], body: DepartmentBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => org.createDepartment(ctx, req.body)));
  app.patch('/departments/:id', { config: { access: 'org:admin' }, schema: { tags: ['organisation'], params: IdParams, body: DepartmentBody.partial() } },
    async (req) => org.updateDepartment(ctxOf(req), req.params.id, req.body));

  app.get('/teams', { config: { access: 'org:read' }, schema: { tags: ['organisation'] } }, async (req) => ({ items: await org.listTeams(ctxOf(req)) }));
  app.get('/teams/:id', { config: { access: 'org:read' }, schema: { tags: ['organisation'], params: IdParams } }, async (req) => org.getTeam(ctxOf(req), req.params.id));
  app.post('/teams', { config: { access: 'org:admin' }, schema: { tags: ['organisation'], body: TeamBody } },
    async (req, reply) => runIdempotent(ctxOf(req), req, reply, 201, (ctx) => org.createTeam(ctx, req.body)));
  app.patch('/teams/:id', { config: { access: 'org:admin' }, schema: { tags: ['organisation'], params: IdParams, body: TeamBody.partial() } },
    async (req) => org.updateTeam(ctxOf(req), req.params.id, req.body));
}
