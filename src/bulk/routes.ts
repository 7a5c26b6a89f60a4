import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { Text } from '../core/http/schemas';
import { STATUSES } from '../cases';
import { bulkOnCases } from './service';

const Id = z.number().int().positive();
const BulkBody = z.strictObject({
  caseIds: z.array(Id).min(1).max(200),
  action: z.enum(['take', 'offer', 'tag', 'status']),
  toStaffId: Id.optional(),
  toTeamId: Id.optional(),
  note: Text(10_000).optional(),
  tag: z.string().trim().toLowerCase().min(1).max(50).optional(),
  status: z.enum(STATUSES).exclude(['new']).optional(),
}).superRefine((b, ctx) => {
  const need = (field: 'note' | 'tag' | 'status', why: string) => { if (b[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: why }); };
  if (b.action === 'offer') {
    need('note', 'an offer needs a context note for the receiver');
    if (!!b.toStaffId === !!b.toTeamId) ctx.addIssue({ code: 'custom', path: ['toStaffId'], message: 'give exactly one of toStaffId or toTeamId' });
  }
  if (b.action === 'tag') need('tag', 'give the tag to add');
  if (b.action === 'status') need('status', 'give the status to set');
});

export function bulkRoutes(app: App) {
  app.post('/cases/bulk', {
    config: { access: 'cases:work' },
    schema: {
      tags: ['cases'],
      summary: 'Take, offer (as hand-over offers the receiver accepts), tag or set the status of up to 200 cases; each case is allowed or refused by the same rule as one at a time, and the answer lists what happened to each',
      body: BulkBody,
    },
  }, async (req) => {
    const b = req.body;
    const action = b.action === 'take' ? { action: 'take' as const }
      : b.action === 'offer' ? { action: 'offer' as const, toStaffId: b.toStaffId, toTeamId: b.toTeamId, note: b.note! }
      : b.action === 'tag' ? { action: 'tag' as const, tag: b.tag! }
      : { action: 'status' as const, status: b.status! };
    return bulkOnCases(ctxOf(req), b.caseIds, action);
  });
}
