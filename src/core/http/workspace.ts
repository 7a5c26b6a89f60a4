/**
 * The staff workspace (web/, built by Vite into web/dist) is served by Kept itself at "/".
 * Any path outside /api that is not a file gets index.html, so the app's own routes work on
 * reload. The files hold no data: everything comes through /api/v1 with the user's session.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from './server';
import { problem, sendProblem } from './problems';

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export async function serveWorkspace(http: App) {
  const built = fs.existsSync(`${WEB_DIST}/index.html`);
  if (built) await http.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: ['index.html'] });
  http.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return sendProblem(reply, req, problem(404, 'Not found', `No route ${req.method} ${req.url.split('?')[0]}`));
    }
    if (!built) return reply.type('text/plain').send('The web app is not built yet: run "npm run build:web" (npm start does it for you).');
    return reply.type('text/html').sendFile('index.html');
  });
}
