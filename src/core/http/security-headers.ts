/**
 * Security headers on everything Kept serves: the workspace, the API and the public pages.
 * The workspace is Vite's build (scripts and styles as files), so no inline script is ever
 * allowed; a page with a fixed inline script or style (the survey page) lists its hashes in
 * its own Content-Security-Policy, which this hook then leaves alone. Nothing may frame Kept
 * unless the route says config.embeddable (for a future embeddable contact form).
 */
import type { App } from './server';

export interface CspOptions {
  scriptHashes?: string[];
  styleHashes?: string[];
  frameAncestors?: string;
}

export function contentSecurityPolicy(opts: CspOptions = {}): string {
  const hashes = (list: string[] = []) => list.map((h) => ` '${h}'`).join('');
  return [
    "default-src 'self'",
    `script-src 'self'${hashes(opts.scriptHashes)}`,
    `style-src 'self'${hashes(opts.styleHashes)}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${opts.frameAncestors ?? "'none'"}`,
  ].join('; ');
}

const WORKSPACE_CSP = contentSecurityPolicy();

export function securityHeaders(app: App, opts: { https: boolean }) {
  app.addHook('onSend', async (req, reply, payload) => {
    const embeddable = req.routeOptions.config?.embeddable === true;
    const set = (name: string, value: string) => { if (!reply.hasHeader(name)) reply.header(name, value); };
    set('content-security-policy', embeddable ? contentSecurityPolicy({ frameAncestors: '*' }) : WORKSPACE_CSP);
    if (!embeddable) set('x-frame-options', 'DENY');
    set('x-content-type-options', 'nosniff');
    set('referrer-policy', 'same-origin');
    set('cross-origin-opener-policy', 'same-origin');
    if (opts.https) set('strict-transport-security', 'max-age=31536000');
    return payload;
  });
}
