import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { writeZendeskExport } from '../fixtures/zendesk-export';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TICKETS = Number(process.env.KEPT_IMPORT_TICKETS ?? 10_000);

describe('arriving from Zendesk', { timeout: 300_000 }, () => {
  let k: TestKept;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-zendesk-'));
  let fixture: ReturnType<typeof writeZendeskExport>;
  before(async () => {
    k = await startKept({ now: '2026-03-02T09:00:00Z' });
    await k.signedIn('admin');
    await k.signedIn('agent'); // agent2@example.test is a Zendesk agent too
    fixture = writeZendeskExport(dir, { tickets: TICKETS, agentEmails: ['agent2@example.test', 'gone@acme.test'] });
  });
  after(async () => {
    await k?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const importOnce = () => run(process.execPath, ['bin/kept.mjs', 'import', 'zendesk', dir], { cwd: ROOT, env: { ...process.env, DATABASE_URL: k.databaseUrl, LOG_LEVEL: 'silent' }, maxBuffer: 16 * 1024 * 1024 });
  const snapshot = async () => (await k.sql<{ cases: number; entries: number; customers: number; events: number; mails: number; invitations: number }>(`SELECT
    (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM case_entries) AS entries, (SELECT count(*)::int FROM customers) AS customers,
    (SELECT count(*)::int FROM domain_events) AS events, (SELECT count(*)::int FROM outbound_emails) AS mails, (SELECT count(*)::int FROM survey_invitations) AS invitations`))[0]!;

  it(`${TICKETS.toLocaleString('en')} tickets import in under a minute, twice, with the same result`, async () => {
    const before = await snapshot();
    const t0 = Date.now();
    const first = await importOnce();
    const seconds = (Date.now() - t0) / 1000;
    console.log(`# import of ${TICKETS} tickets: ${seconds.toFixed(1)} s (command included)\n# ${first.stdout.split('\n').join('\n# ')}`);
    assert.ok(seconds < 60, `took ${seconds} s`);
    assert.match(first.stderr, /import \[#+\] 100%/);
    const once = await snapshot();
    assert.equal(once.cases - before.cases, TICKETS);
    assert.equal(once.entries - before.entries, TICKETS + fixture.comments + fixture.ratings, 'an opening entry per case, every comment, a note per rating');
    assert.equal(once.customers - before.customers, fixture.endUsers);
    assert.deepEqual([once.events, once.mails, once.invitations], [before.events, before.mails, before.invitations], 'no events, no emails, no surveys');

    const t1 = Date.now();
    const second = await importOnce();
    console.log(`# second run: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    assert.match(second.stdout, new RegExp(`0 imported, ${TICKETS} already there`));
    assert.deepEqual(await snapshot(), once, 'the second run changes nothing');
  });

  it('imported cases keep their history and dates, and timers find nothing to breach', async () => {
    const [c] = await k.sql<{ id: number; status: string; opened_at: Date; resolved_at: Date | null; first_response_due_at: Date | null; owner_id: number | null }>(`SELECT c.id::int, c.status, c.opened_at, c.resolved_at, c.first_response_due_at, c.owner_id::int FROM cases c JOIN import_mappings m ON m.kept_id = c.id AND m.kind = 'ticket' WHERE m.external_id = '1'`);
    assert.equal(c!.opened_at.toISOString(), '2025-01-06T08:00:00.000Z');
    assert.equal(c!.first_response_due_at, null);
    const entries = await k.sql<{ kind: string; created_at: Date }>(`SELECT kind, created_at FROM case_entries WHERE case_id = $1 ORDER BY created_at, id`, [c!.id]);
    assert.equal(entries[0]!.kind, 'case_opened');
    assert.equal(entries[1]!.kind, 'inbound_message');
    assert.ok(entries.some((e) => e.kind === 'outbound_reply' || e.kind === 'internal_note'));
    const eventsBefore = (await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM domain_events'))[0]!.n;
    k.clock.advance(30 * 24 * 3600_000);
    await k.runTimers();
    const missed = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM domain_events WHERE type IN ('standard.missed', 'commitment.broken', 'survey.invited')`);
    assert.equal(missed[0]!.n, 0, 'no breach, no survey');
    assert.equal((await k.sql<{ n: number }>('SELECT count(*)::int AS n FROM domain_events'))[0]!.n, eventsBefore);
    const [tagged] = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM cases WHERE tags && ARRAY['zendesk-csat-good', 'zendesk-csat-bad']`);
    assert.equal(tagged!.n, fixture.ratings);
  });
});
