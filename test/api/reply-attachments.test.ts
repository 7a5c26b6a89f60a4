import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { startSink, type Sink } from '../helpers/mail';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const MAX = 64 * 1024;
const NAMES = ['Ada Okafor', 'Ben Mills', 'Cleo Brandt', 'Dan Ortiz', 'Eva Lind'];

describe('replies: files attached and simple rich text reach the customer', { timeout: 60_000 }, () => {
  let k: TestKept;
  let sink: Sink;
  let owner: Awaited<ReturnType<TestKept['signedIn']>>;
  let other: Awaited<ReturnType<TestKept['signedIn']>>;
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-reply-files-'));

  before(async () => {
    sink = await startSink();
    k = await startKept({
      now: '2026-06-01T08:00:00Z',
      mail: { receiver: null, transportUrl: `smtp://127.0.0.1:${sink.port}`, from: 'Acme Support <support@acme.test>', attachmentsDir, attachmentMaxBytes: MAX },
    });
    const admin = await k.signedIn('admin');
    const teamA = (await admin.post('/teams', { name: 'Front Line' })).body.id;
    const teamB = (await admin.post('/teams', { name: 'Billing' })).body.id;
    owner = await k.signedIn('agent', { name: 'Olu Owner', teamId: teamA });
    other = await k.signedIn('agent', { name: 'Otto Other', teamId: teamB });
  });
  after(async () => {
    await k?.close();
    await sink?.close();
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });

  let n = 0;
  const aCase = async () => {
    const name = NAMES[++n % NAMES.length]!;
    const res = await owner.post('/cases', { subject: 'Sofa arrived torn', channel: 'email', ownerId: owner.id, customer: { name, emails: [`customer${n}@okafor.example`] } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as number, customer: { name } };
  };
  const upload = (who: typeof owner, caseId: number, bytes: Uint8Array, filename = 'label.png') =>
    who.raw('POST', `/cases/${caseId}/attachments?filename=${encodeURIComponent(filename)}`, bytes, { 'content-type': 'application/octet-stream' });

  it('a reply with a file arrives by email with the file attached and an HTML part where **bold** is bold', async () => {
    const c = await aCase();
    const up = await upload(owner, c.id, PNG, 'return-label.png');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.contentType, 'image/png', 'the type comes from the bytes');
    const body = `Dear ${c.customer.name},\n\nPlease print the **return label** attached.\n\n- pack the cushion\n- drop it at [any post office](https://post.example/find)\n- not [this](javascript:alert(1)) <script>x</script>`;
    const res = await owner.post(`/cases/${c.id}/replies`, { body, attachmentIds: [up.body.id] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await k.runTimers();
    await sink.waitFor(1);
    const mail = sink.received.at(-1)!;
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]!.filename, 'return-label.png');
    assert.equal(mail.attachments[0]!.contentType, 'image/png');
    assert.deepEqual(mail.attachments[0]!.content, PNG);
    assert.match(mail.text!, /Please print the \*\*return label\*\* attached\./, 'the text part keeps the plain marks');
    const html = String(mail.html);
    assert.match(html, /<strong>return label<\/strong>/);
    assert.match(html, /<ul><li>pack the cushion<\/li><li>drop it at <a href="https:\/\/post\.example\/find">any post office<\/a><\/li>/);
    assert.doesNotMatch(html, /javascript:alert\(1\)"|<script>/, 'only http, https and mailto links; everything else escaped');
    assert.match(html, /&lt;script&gt;/);

    const entry = (await owner.get(`/cases/${c.id}/timeline`)).body.items.find((e: { kind: string }) => e.kind === 'outbound_reply');
    assert.equal(entry.data.attachments.stored[0].filename, 'return-label.png', 'the timeline shows the file');
    const again = await owner.post(`/cases/${c.id}/replies`, { body: `Dear ${c.customer.name}, again.`, attachmentIds: [up.body.id] });
    assert.equal(again.status, 422, 'a file already sent is not sent again by id');
  });

  it('an agent who may not reply on the case may not upload to it', async () => {
    const c = await aCase();
    const res = await upload(other, c.id, PNG);
    assert.equal(res.status, 403);
    const rows = await k.sql<{ count: string }>('SELECT count(*) FROM attachments WHERE case_id = $1', [c.id]);
    assert.equal(Number(rows[0]!.count), 0);
  });

  it('an empty or oversized file is refused', async () => {
    const c = await aCase();
    assert.equal((await upload(owner, c.id, new Uint8Array(0))).status, 422);
    const big = await upload(owner, c.id, Buffer.alloc(MAX + 1, 1));
    assert.equal(big.status, 413);
    const rows = await k.sql<{ count: string }>('SELECT count(*) FROM attachments WHERE case_id = $1', [c.id]);
    assert.equal(Number(rows[0]!.count), 0);
  });

  it("a file uploaded on another case cannot ride along with this case's reply", async () => {
    const a = await aCase();
    const b = await aCase();
    const up = await upload(owner, a.id, PNG);
    const res = await owner.post(`/cases/${b.id}/replies`, { body: `Dear ${b.customer.name}, see attached.`, attachmentIds: [up.body.id] });
    assert.equal(res.status, 422);
  });
});
