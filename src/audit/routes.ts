import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { auditTrail } from './service';

const ENTITIES = ['case', 'commitment', 'handover', 'customer', 'staff', 'organisation', 'standard', 'team', 'department', 'recovery', 'decision', 'authority'] as const;

export function auditRoutes(app: App) {
  app.get('/audit', {
    config: { access: 'audit:read' },
    schema: { tags: ['audit'], querystring: z.strictObject({ entity: z.enum(ENTITIES), entityId: z.coerce.number().int().positive() }) },
  }, async (req) => ({ items: await auditTrail(ctxOf(req), req.query.entity, req.query.entityId) }));
}
