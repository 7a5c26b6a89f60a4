/**
 * The customer's side at scale: how soon the portal's pages have their content (server-rendered,
 * so the whole HTML answer is the content) for a customer with every generated case, and how
 * many web-form submissions per second the service files (16 at a time, distinct addresses; the
 * per-IP limit is left out since the load comes from one address).
 */
import { sql } from 'kysely';
import type { createKept } from '../src/app';
import { newToken } from '../src/core/passwords';
import { submitContact } from '../src/contact/service';

type Kept = Awaited<ReturnType<typeof createKept>>;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function portalTiming(kept: Kept) {
  const sys = kept.ctx;
  const addr = kept.http.server.address();
  const base = addr && typeof addr === 'object' ? `http://127.0.0.1:${addr.port}` : await kept.http.listen({ port: 0, host: '127.0.0.1' });
  const customer = (await sql<{ id: number; n: number }>`SELECT customer_id AS id, count(*)::int AS n FROM cases GROUP BY customer_id ORDER BY n DESC LIMIT 1`.execute(kept.db)).rows[0]!;
  const total = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM cases`.execute(kept.db)).rows[0]!.n);
  const { token, hash } = newToken('ps');
  const now = new Date();
  await kept.db.insertInto('portal_sessions').values({ customer_id: customer.id, token_hash: hash, created_at: now, expires_at: new Date(now.getTime() + 3_600_000) }).execute();
  const ids = (await sql<{ id: number }>`SELECT id FROM cases WHERE customer_id = ${customer.id} ORDER BY random() LIMIT 20`.execute(kept.db)).rows.map((r) => r.id);
  const time = async (path: string) => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie: `kept_portal=${token}` }, redirect: 'manual' });
    const text = await res.text();
    if (res.status !== 200 || !text.includes('</main>')) throw new Error(`${path}: ${res.status}`);
    return performance.now() - t0;
  };
  await time('/portal'); // warm
  const list: number[] = [];
  const one: number[] = [];
  for (const id of ids) {
    list.push(await time('/portal'));
    one.push(await time(`/portal/cases/${id}`));
  }
  console.log(`\nportal time to content, ${total.toLocaleString('en')} cases (${customer.n.toLocaleString('en')} of them this customer's): my cases median ${median(list).toFixed(1)} ms (max ${Math.max(...list).toFixed(1)}), one case median ${median(one).toFixed(1)} ms (max ${Math.max(...one).toFixed(1)}) over ${ids.length} loads`);

  const n = 400;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      const i = next++;
      await submitContact(sys, { name: `Bench Visitor ${i}`, email: `visitor${i}-${process.pid}@bench.example`, subject: 'Parcel late', message: 'My parcel has not arrived.', type: 'question', language: 'en', files: [] });
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  console.log(`web form: ${(n / seconds).toFixed(0)} submissions/s filed (case, expectation, acknowledgement queued), 16 at a time, ${n} in ${seconds.toFixed(1)} s`);
}
