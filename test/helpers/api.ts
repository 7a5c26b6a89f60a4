/** A tiny HTTP client for tests: real requests, cookies kept like a browser would. */
export interface Answer<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  body: T;
  headers: Headers;
}

export class Api {
  private cookie: string | null = null;
  private bearer: string | null = null;
  /** The session's CSRF token, sent back on writes like the web app does. */
  csrf: string | null = null;

  constructor(readonly baseUrl: string) {}

  async signIn(email: string, password: string) {
    const res = await this.post('/auth/sign-in', { email, password });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }

  useToken(token: string) {
    this.bearer = token;
    this.cookie = null;
    this.csrf = null;
    return this;
  }

  get(path: string) {
    return this.request('GET', path);
  }
  post(path: string, body?: unknown, headers: Record<string, string> = {}) {
    return this.request('POST', path, body, headers);
  }
  patch(path: string, body?: unknown) {
    return this.request('PATCH', path, body);
  }
  put(path: string, body?: unknown) {
    return this.request('PUT', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }

  async raw(method: string, path: string, rawBody: string | Uint8Array, headers: Record<string, string>): Promise<Answer> {
    return this.send(method, path, rawBody, headers);
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    return this.send(method, path, body === undefined ? undefined : JSON.stringify(body), h);
  }

  private async send(method: string, path: string, body: string | Uint8Array | undefined, headers: Record<string, string>): Promise<Answer> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.cookie && this.csrf && method !== 'GET' && !Object.keys(h).some((k) => k.toLowerCase() === 'x-kept-csrf')) h['x-kept-csrf'] = this.csrf;
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers: h, body });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    const csrf = (parsed as { csrfToken?: unknown } | null)?.csrfToken;
    if (typeof csrf === 'string') this.csrf = csrf;
    return { status: res.status, body: parsed, headers: res.headers };
  }
}
