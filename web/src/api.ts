/** Talking to /api/v1: JSON in and out, problems thrown as ApiError with the server's words. */
import type { Problem } from '../../src/api-types';

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | null) {
    super(problem?.detail ?? `Request failed (${status})`);
  }
}

// The session's CSRF token: the sign-in answer and GET /auth/me carry it; every write sends it back.
let csrfToken: string | null = null;

export async function api<T>(path: string, opts: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = opts.body === undefined ? {} : { 'content-type': 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-kept-csrf'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data as Problem | null);
  if (data && typeof data === 'object' && typeof (data as { csrfToken?: unknown }).csrfToken === 'string') csrfToken = (data as { csrfToken: string }).csrfToken;
  return data as T;
}

export const post = <T>(path: string, body?: unknown) => api<T>(path, { method: 'POST', body });
export const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });

/** For requests made outside api() (file uploads with progress): the session's CSRF header. */
export const csrfHeaders = (): Record<string, string> => (csrfToken ? { 'x-kept-csrf': csrfToken } : {});
