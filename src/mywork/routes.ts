import type { App } from '../core/http/server';
import { ctxOf } from '../core/http/server';
import { myWork } from './service';

export function myWorkRoutes(app: App) {
  app.get('/my-work', { config: { access: 'cases:read' }, schema: { tags: ['my work'], summary: 'Offers, owned cases, promises due and cases at risk for the signed-in staff member' } },
    async (req) => myWork(ctxOf(req)));
}
