/**
 * What a website embeds: /widget.js (the launcher, for any site) and the chat frame it opens,
 * /chat/frame with its script and style as files (the CSP allows no inline script). Only the
 * frame may be framed by other sites (config.embeddable); it holds no data until the visitor's
 * own token asks for their conversation.
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { App } from '../core/http/server';

const file = (name: string) => fs.readFile(fileURLToPath(new URL(`./public/${name}`, import.meta.url)), 'utf8');

export async function chatPages(app: App) {
  const [widget, frameJs, frameCss, frameHtml] = await Promise.all([file('widget.js'), file('frame.js'), file('frame.css'), file('frame.html')]);
  const serve = (path: string, type: string, body: string, embeddable = false) =>
    app.get(path, { config: { access: 'public', embeddable }, schema: { hide: true } as object }, async (_req, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=300').send(body));
  serve('/widget.js', 'text/javascript; charset=utf-8', widget);
  serve('/chat/frame.js', 'text/javascript; charset=utf-8', frameJs);
  serve('/chat/frame.css', 'text/css; charset=utf-8', frameCss);
  serve('/chat/frame', 'text/html; charset=utf-8', frameHtml, true);
}
