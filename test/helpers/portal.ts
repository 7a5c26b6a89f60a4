/** A customer's browser, without the browser: form posts, the portal cookie, no redirects followed. */
import type { TestKept } from './app';

export interface Page { status: number; text: string; headers: Headers }

export class CustomerClient {
  cookie: string | null = null;
  constructor(readonly baseUrl: string, readonly headers: Record<string, string> = {}) {}

  async get(path: string): Promise<Page> {
    return this.send('GET', path);
  }

  /** Posts a form; the session's form token comes along unless given. */
  async post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Page> {
    return this.send('POST', path, new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...headers });
  }

  /** The form token of the signed-in session, as the pages carry it. */
  async csrf(): Promise<string> {
    const page = await this.get('/portal/profile');
    const m = /name="csrf" value="([^"]+)"/.exec(page.text);
    if (!m) throw new Error(`no form token on the profile page (${page.status})`);
    return m[1]!;
  }

  private async send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Page> {
    const h: Record<string, string> = { ...this.headers, ...headers };
    if (this.cookie) h.cookie = this.cookie;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers: h, body, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = /kept_portal=([^;]*)/.exec(set);
      if (m) this.cookie = m[1] ? `kept_portal=${m[1]}` : null;
    }
    return { status: res.status, text: await res.text(), headers: res.headers };
  }
}

/** Asks for a magic link for this address and signs in with it (the link read from the queued mail). */
export async function signInAsCustomer(k: TestKept, email: string, opts: { remember?: boolean; headers?: Record<string, string> } = {}): Promise<CustomerClient> {
  const c = new CustomerClient(k.baseUrl, opts.headers);
  const asked = await c.post('/portal/link', { email });
  if (asked.status !== 200) throw new Error(`asking for a link failed: ${asked.status}`);
  const token = await latestLink(k, email);
  const signed = await c.post(`/portal/sign-in/${token}`, opts.remember ? { remember: '1' } : {});
  if (signed.status !== 303 || !c.cookie) throw new Error(`sign-in with the link failed: ${signed.status}`);
  return c;
}

export async function latestLink(k: TestKept, email: string): Promise<string> {
  const [mail] = await k.sql<{ text_body: string }>(`SELECT text_body FROM outbound_emails WHERE to_address = $1 AND text_body LIKE '%/portal/sign-in/%' ORDER BY id DESC LIMIT 1`, [email]);
  if (!mail) throw new Error(`no sign-in link was mailed to ${email}`);
  return /\/portal\/sign-in\/(pl_[A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;
}

/** A web-form post from a visitor. */
export async function contactForm(baseUrl: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}/contact`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
