import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { startKept, type TestKept } from '../helpers/app';

const noOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'no openssl on this machine to make a test certificate';
  }
})();

describe('email: the SMTP receiver offers STARTTLS when given a certificate', { timeout: 30_000, skip: noOpenssl }, () => {
  let k: TestKept;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-tls-'));
  before(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    k = await startKept({ mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024, tls: { key: path.join(dir, 'key.pem'), cert: path.join(dir, 'cert.pem') } } } });
  });
  after(async () => {
    await k?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a client that insists on encryption delivers over STARTTLS, and the message is stored', async () => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: k.kept.smtpPort!, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    const info = await client.sendMail({ from: 'tls@example.com', to: 'support@kept.test', subject: 'Encrypted', text: 'Sent over TLS' });
    assert.match(info.response, /^250 /);
    const rows = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_emails WHERE envelope_from = 'tls@example.com'`);
    assert.equal(rows[0]!.n, 1);
  });
});
