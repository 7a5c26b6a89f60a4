import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createKept } from '../../src/app';
import { ManualClock } from '../../src/core/clock';
import { writeBackupFile } from '../../src/backup/files';
import { restoreBackup, RestoreRefused } from '../../src/backup/restore';
import { startKept, TARGET, type TestKept } from '../helpers/app';
import { dbUrl } from '../helpers/clusters';
import { smtpClient } from '../helpers/mail';
import { Api } from '../helpers/api';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const made: string[] = [];

async function freshDatabase(): Promise<string> {
  const name = `r_${Math.random().toString(16).slice(2, 12)}`;
  const admin = new pg.Client({ connectionString: process.env.KEPT_TEST_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  await admin.end();
  made.push(name);
  return dbUrl(process.env.KEPT_TEST_ADMIN_URL!, name);
}

async function query<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

function kept(args: string[], env: Record<string, string>) {
  return run(process.execPath, ['bin/kept.mjs', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, maxBuffer: 16 * 1024 * 1024 });
}

describe(`backup, restore and move (${TARGET})`, { timeout: 240_000 }, () => {
  let k: TestKept;
  let agent: Api;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kept-backup-'));
  const attachments = path.join(tmp, 'attachments');
  const file = path.join(tmp, 'b.tar');
  const acknowledged: { id: number; subject: string }[] = [];
  let backupStartedWith = 0;
  let manifestRows = new Map<string, number>();

  before(async () => {
    fs.chmodSync(tmp, 0o755);
    k = await startKept({ mail: { receiver: { port: 0, host: '127.0.0.1', maxBytes: 1024 * 1024 }, attachmentsDir: attachments } });
    agent = await k.signedIn('agent');
    await smtpClient(k.kept.smtpPort!).sendMail({ from: 'Grace Hopper <grace@example.com>', to: 'support@kept.test', subject: 'Photo of the damage', text: 'See attached.', attachments: [{ filename: 'damage.png', content: PNG }] });
    await k.runTimers();
  });
  after(async () => {
    await k?.close();
    const admin = new pg.Client({ connectionString: process.env.KEPT_TEST_ADMIN_URL });
    await admin.connect();
    for (const name of made) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a backup taken while writes run holds every write acknowledged before it started', async () => {
    let stop = false;
    let during = 0;
    let started = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const subject = `Load ${w}-${i}`;
        const res = await agent.post('/cases', { subject, channel: 'phone', customer: { name: `Load ${w}-${i}`, emails: [`load${w}.${i}@example.com`] } });
        assert.equal(res.status, 201);
        acknowledged.push({ id: res.body.id, subject });
        if (started) during += 1;
      }
    };
    const writers = [writer(1), writer(2), writer(3)];
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 20));
    backupStartedWith = acknowledged.length; // every one of these was answered 201 before the backup began
    started = true;
    const result = await writeBackupFile(k.databaseUrl, file, { attachmentsDir: attachments, engine: 'server' });
    stop = true;
    await Promise.all(writers);
    manifestRows = new Map(result.manifest.tables.map((t) => [t.name, t.rows]));
    assert.equal(result.manifest.attachments.length, 1);
    assert.equal(result.manifest.missingAttachments.length, 0);
    assert.match(fs.readFileSync(`${file}.sha256`, 'utf8'), new RegExp(`^${result.sha256}  b.tar`));
    assert.ok(manifestRows.get('cases')! >= backupStartedWith + 1);
    console.log(`# backup: ${manifestRows.get('cases')} cases, ${result.bytes} bytes; ${during} writes acknowledged while it ran`);
  });

  it('a restore into a fresh database has the same rows, attachments and a working event stream', async () => {
    const target = await freshDatabase();
    const restoredAttachments = path.join(tmp, 'restored-attachments');
    const manifest = await restoreBackup(target, createReadStream(file), { attachmentsDir: restoredAttachments });
    const ids = new Set((await query<{ id: number; subject: string }>(target, 'SELECT id::int, subject FROM cases')).map((r) => `${r.id}:${r.subject}`));
    for (const a of acknowledged.slice(0, backupStartedWith)) assert.ok(ids.has(`${a.id}:${a.subject}`), `case ${a.id} acknowledged before the backup is restored`);
    for (const t of manifest.tables) {
      const [row] = await query<{ n: number }>(target, `SELECT count(*)::int AS n FROM "${t.name}"`);
      assert.equal(row!.n, t.rows, t.name);
    }
    const [att] = await query<{ sha256: string }>(target, 'SELECT sha256 FROM attachments');
    assert.deepEqual(fs.readFileSync(path.join(restoredAttachments, att!.sha256.slice(0, 2), att!.sha256)), PNG);

    // Kept runs on the restored database: new ids do not collide, new events reach the subscribers.
    const clock = new ManualClock('2026-03-03T09:00:00Z');
    const again = await createKept({ databaseUrl: target, clock, logLevel: 'silent', autoTimers: false, poolSize: 3, mail: { attachmentsDir: restoredAttachments } });
    try {
      const base = await again.http.listen({ port: 0, host: '127.0.0.1' });
      const { createStaff } = await import('../../src/staff');
      await createStaff(again.ctx, { name: 'After Restore', email: 'after@example.test', role: 'agent', password: 'correct horse battery' });
      const api = new Api(base);
      await api.signIn('after@example.test', 'correct horse battery');
      const created = await api.post('/cases', { subject: 'After the restore', channel: 'phone', customer: { name: 'New Person', emails: ['new.person@example.com'] } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      await again.timers.runDue();
      // restored events sort before the new cluster's transactions: the new event reaches the subscribers
      const [newest] = await query<{ id: number }>(target, `SELECT max(id)::int AS id FROM domain_events`);
      const [fanOut] = await query<{ last_id: number; last_tx_id: string }>(target, `SELECT last_id::int, last_tx_id::text FROM event_cursors WHERE subscriber = 'webhooks.fan-out'`);
      assert.equal(fanOut!.last_id, newest!.id, 'the webhook fan-out handled the event written after the restore');
      assert.notEqual(fanOut!.last_tx_id, '3');
      const [opened] = await query<{ n: number }>(target, `SELECT count(*)::int AS n FROM domain_events WHERE type = 'case.opened' AND case_id = $1`, [created.body.id]);
      assert.equal(opened!.n, 1);
    } finally {
      await again.close();
    }
  });

  it('a restore refuses a database that is not empty', async () => {
    await assert.rejects(restoreBackup(k.databaseUrl, createReadStream(file), { attachmentsDir: path.join(tmp, 'x') }), RestoreRefused);
  });

  it('a damaged archive restores nothing', async () => {
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf(Buffer.from('Load 1-0'));
    assert.ok(at > 0);
    bytes[at] = 'X'.charCodeAt(0);
    const damaged = path.join(tmp, 'damaged.tar');
    fs.writeFileSync(damaged, bytes);
    const target = await freshDatabase();
    await assert.rejects(restoreBackup(target, createReadStream(damaged), { attachmentsDir: path.join(tmp, 'y') }), /checksum differs/);
    const [cases] = await query<{ n: number }>(target, 'SELECT count(*)::int AS n FROM cases');
    assert.equal(cases!.n, 0);
  });

  it('kept backup, kept restore into the embedded database, then kept move to a server keep every case and attachment', async () => {
    const cliFile = path.join(tmp, 'cli.tar');
    const backup = await kept(['backup', '--to', cliFile], { DATABASE_URL: k.databaseUrl, KEPT_ATTACHMENTS_DIR: attachments });
    assert.match(backup.stdout, /Backup written: .*cli\.tar/);
    assert.match(backup.stderr, /backup \[#+\] 100%/);
    const casesThen = Number(/(\d+) rows/.exec(backup.stdout)![1]);
    assert.ok(casesThen > 0);

    const dataDir = path.join(tmp, 'embedded');
    const restore = await kept(['restore', cliFile], { KEPT_DATA_DIR: dataDir });
    assert.match(restore.stdout, /Restored and verified/);
    const refused = await kept(['restore', cliFile], { KEPT_DATA_DIR: dataDir }).catch((e: { stderr: string; code: number }) => e);
    assert.equal((refused as { code: number }).code, 2);
    assert.match((refused as { stderr: string }).stderr, /not empty/);

    const server = await freshDatabase();
    const shared = path.join(tmp, 'shared-attachments');
    const move = await kept(['move', '--to', server, '--attachments-to', shared], { KEPT_DATA_DIR: dataDir });
    assert.match(move.stdout, /Moved and verified/);
    assert.ok(move.stdout.includes(`DATABASE_URL='${server}'`), move.stdout);
    const [src] = await query<{ n: number; s: string }>(k.databaseUrl, `SELECT count(*)::int AS n, string_agg(subject, ',' ORDER BY id) AS s FROM cases WHERE id <= (SELECT max(id) FROM cases WHERE subject = $1)`, [acknowledged[backupStartedWith - 1]!.subject]);
    const [dst] = await query<{ n: number; s: string }>(server, `SELECT count(*)::int AS n, string_agg(subject, ',' ORDER BY id) AS s FROM cases WHERE id <= (SELECT max(id) FROM cases WHERE subject = $1)`, [acknowledged[backupStartedWith - 1]!.subject]);
    assert.deepEqual(dst, src);
    const [att] = await query<{ sha256: string }>(server, 'SELECT sha256 FROM attachments');
    assert.deepEqual(fs.readFileSync(path.join(shared, att!.sha256.slice(0, 2), att!.sha256)), PNG);

    // the same figures through the API of a Kept started on DATABASE_URL
    const onServer = await createKept({ databaseUrl: server, clock: new ManualClock('2026-03-04T09:00:00Z'), logLevel: 'silent', autoTimers: false, poolSize: 3, mail: { attachmentsDir: shared } });
    try {
      const base = await onServer.http.listen({ port: 0, host: '127.0.0.1' });
      const api = new Api(base);
      const { createStaff } = await import('../../src/staff');
      await createStaff(onServer.ctx, { name: 'Mover', email: 'mover@example.test', role: 'admin', password: 'correct horse battery' });
      await api.signIn('mover@example.test', 'correct horse battery');
      const one = acknowledged[0]!;
      const read = await api.get(`/cases/${one.id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.subject, one.subject);
    } finally {
      await onServer.close();
    }
    // the embedded PostgreSQL the commands started is stopped again
    assert.ok(!fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid')));
  });
});
