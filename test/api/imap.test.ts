import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../src/core/db/embedded';
import { startKept, type TestKept } from '../helpers/app';

// Hoodiecrow: a scriptable IMAP server (from the author of imapflow) speaking real IMAP on a port.
const hoodiecrow = createRequire(import.meta.url)('hoodiecrow-imap') as (opts: object) => {
  listen(port: number, cb?: () => void): void; close(cb?: () => void): void;
  appendMessage(box: string, flags: string[], date: string | false, raw: string): { message: { flags: string[] } };
  getMailbox(name: string): { messages: { flags: string[]; raw: string }[] };
};

const message = (id: string, subject: string) =>
  `From: Li Wei <li@wei.example>\r\nTo: support@acme.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}@wei.example>\r\nDate: Mon, 1 Jun 2026 08:00:00 +0000\r\n\r\nHello from IMAP, ${subject}.\r\n`;

describe('email: polling an existing IMAP mailbox', { timeout: 60_000 }, () => {
  let k: TestKept;
  let imap: ReturnType<typeof hoodiecrow>;
  let port: number;
  before(async () => {
    port = await freePort();
    imap = hoodiecrow({ plugins: ['IDLE', 'UIDPLUS', 'MOVE', 'ENABLE', 'CONDSTORE'], storage: { INBOX: { messages: [{ raw: message('first', 'first question'), flags: [] }] }, '': { separator: '/', folders: { Kept: {} } } } });
    await new Promise<void>((r) => imap.listen(port, () => r()));
    k = await startKept({ now: '2026-06-01T08:00:00Z', mail: { imapIntervalMs: 1000 } });
  });
  after(async () => {
    await k?.close();
    await new Promise<void>((r) => imap.close(() => r()));
  });

  async function until<T>(fn: () => Promise<T | undefined | null | false>, what: string): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('stores what is in the mailbox, files it as a case, then flags it; new mail is picked up too', async () => {
    const admin = await k.signedIn('admin');
    const res = await admin.post('/mailboxes', { name: 'Support inbox', host: '127.0.0.1', port, secure: false, username: 'testuser', password: 'testpass' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.password, undefined, 'the password is never sent back');
    const [stored] = await k.sql<{ password: string }>('SELECT password FROM mailboxes WHERE id = $1', [res.body.id]);
    assert.match(stored!.password, /^enc:v1:/, 'the password is stored encrypted');
    assert.doesNotMatch(stored!.password, /testpass/);
    await until(async () => (await k.sql(`SELECT 1 FROM inbound_emails WHERE message_id = '<first@wei.example>'`)).length, 'the first message to be stored');
    await k.runTimers();
    const [row] = await k.sql<{ status: string; case_id: number; source: string }>(`SELECT status, case_id, source FROM inbound_emails WHERE message_id = '<first@wei.example>'`);
    assert.equal(row!.status, 'processed');
    assert.equal(row!.source, `imap:${res.body.id}`);
    const c = (await admin.get(`/cases/${row!.case_id}`)).body;
    assert.equal(c.subject, 'first question');
    await until(async () => imap.getMailbox('INBOX').messages[0]!.flags.includes('$KeptStored'), 'the message to be flagged after storing');

    imap.appendMessage('INBOX', [], false, message('second', 'second question'));
    await k.kept.imap.pollNow();
    await until(async () => (await k.sql(`SELECT 1 FROM inbound_emails WHERE message_id = '<second@wei.example>'`)).length, 'new mail');
    // polling again stores nothing twice
    await k.kept.imap.pollNow();
    const all = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_emails`);
    assert.equal(all[0]!.n, 2);
  });

  it('a mailbox password stored in plain text before encryption keeps working and gets encrypted', async () => {
    // As a row written before encryption: the poller lets go of the mailbox, which comes back in plain text.
    const [box] = await k.sql<{ id: number }>(`UPDATE mailboxes SET active = false RETURNING id`);
    await k.kept.imap.pollNow();
    await k.sql(`UPDATE mailboxes SET password = 'testpass', active = true`);
    imap.appendMessage('INBOX', [], false, message('third', 'third question'));
    await k.kept.imap.pollNow();
    await until(async () => (await k.sql(`SELECT 1 FROM inbound_emails WHERE message_id = '<third@wei.example>'`)).length, 'mail through the old row');
    const [stored] = await k.sql<{ password: string }>('SELECT password FROM mailboxes WHERE id = $1', [box!.id]);
    assert.match(stored!.password, /^enc:v1:/, 'the plain-text password was encrypted in place');
  });
});
