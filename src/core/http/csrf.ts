/**
 * Cross-site request forgery. A browser attaches the session cookie to any request, even one
 * another site's page makes, so a write authenticated by the cookie must also prove it comes
 * from Kept's own pages: it carries the x-kept-csrf header, a value derived from the session
 * that only our pages can read (the sign-in answer and GET /auth/me give it). Requests made
 * with a bearer token need none: no browser sends that token on its own. Origin, when a browser
 * sends it, must be our own host; "null" or garbage is refused, not trusted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Forbidden } from '../errors';

export const CSRF_HEADER = 'x-kept-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Bound to one session: knowing it for one session says nothing about the session token or another session. */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`kept-csrf:${sessionToken}`).digest('base64url');
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false;
  }
}

export function refuseCrossSiteWrites(req: FastifyRequest) {
  if (SAFE_METHODS.has(req.method) || req.credential === 'bearer') return;
  const origin = req.headers.origin;
  if (origin !== undefined && !sameHost(origin, req.headers.host)) throw new Forbidden('Cross-site request refused');
  // Only when the cookie is what authenticates this request (public routes ignore it).
  if (req.credential === 'session' && req.actor) {
    const sent = req.headers[CSRF_HEADER];
    const expected = Buffer.from(csrfTokenFor(req.token!));
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Forbidden(`Send the ${CSRF_HEADER} header with the value from the sign-in answer or GET /api/v1/auth/me`);
    }
  }
}
