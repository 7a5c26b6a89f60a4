import { z } from 'zod';
import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { DomainError } from '../core/errors';
import { demoStatus } from './seeding';

const DemoStatusBody = z.object({ seeding: z.boolean(), done: z.number().int(), total: z.number().int(), phase: z.string().nullable() });

export function demoRoutes(app: App) {
  // Public: the sign-in page shows the progress before anyone can sign in. Counts only.
  app.get('/demo/status', { config: { access: 'public' }, schema: { tags: ['demo'], summary: 'Whether the demo year is still being written, and how far', response: { 200: DemoStatusBody } } },
    async (req) => demoStatus(ctxOf(req).db));
}

/** Writes wait for the demo year: made now, they would sit among the simulated months with today's date. */
export class DemoStillLoading extends DomainError {
  constructor() {
    super(503, 'The demo is still loading', 'The demo year is still being written; try again once the workspace says it is loaded.');
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Signing in and out stays possible, so people can look around while the year fills in. */
const ALWAYS = new Set(['/api/v1/auth/sign-in', '/api/v1/auth/sign-out']);

export function refuseWritesWhileSeeding(app: App, seeding: () => Promise<boolean>) {
  app.addHook('onRequest', async (req) => {
    if (READS.has(req.method) || ALWAYS.has(req.url.split('?')[0]!)) return;
    if (await seeding()) throw new DemoStillLoading();
  });
}
