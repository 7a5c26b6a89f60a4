/**
 * IMAP polling of existing mailboxes (configured by admins in the mailboxes table). Each active
 * mailbox keeps a connection; the server's IDLE push ("exists") wakes it, and it also looks
 * every interval. A message is flagged $KeptStored (or moved, if the mailbox says where) only
 * after it is committed to the database; a crash in between means it is fetched again and
 * recognised by its Message-ID, never stored twice, never lost.
 */
import { ImapFlow } from 'imapflow';
import type { Ctx } from '../core/context';
import { isSealed, openSecret, sealSecret } from '../core/secrets';
import { storeInbound } from './ingest';

const STORED_FLAG = '$KeptStored';

export interface ImapOptions {
  intervalMs: number;
  onStored: () => void;
  onError: (e: unknown) => void;
  /** True while the demo year is written: the mail stays on the server until it is done (see receiver.ts). */
  held?: () => Promise<boolean>;
}

export function startImapPolling(ctx: Ctx, opts: ImapOptions) {
  const workers = new Map<number, MailboxWorker>();
  let stopped = false;

  async function sync() {
    await sealPlainPasswords(ctx);
    const held = await opts.held?.() ?? false;
    const boxes = held ? [] : await ctx.db.selectFrom('mailboxes').selectAll().where('active', '=', true).execute();
    const wanted = new Set(boxes.map((b) => b.id));
    for (const [id, w] of workers) if (!wanted.has(id)) { await w.stop(); workers.delete(id); }
    for (const b of boxes) if (!workers.has(b.id)) {
      const w = new MailboxWorker(ctx, b, opts);
      workers.set(b.id, w);
      void w.run();
    }
  }
  const timer = setInterval(() => void sync().catch(opts.onError), Math.max(opts.intervalMs, 1000));
  timer.unref();
  void sync().catch(opts.onError);

  return {
    /** Look at every mailbox now (tests, and after an admin changes a mailbox). */
    async pollNow() {
      await sync();
      await Promise.all([...workers.values()].map((w) => w.collectNow()));
    },
    async close() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...workers.values()].map((w) => w.stop()));
      void stopped;
    },
  };
}

/** Passwords stored before they were sealed get sealed now; the stored value is compared so a concurrent change wins. */
async function sealPlainPasswords(ctx: Ctx) {
  const rows = await ctx.db.selectFrom('mailboxes').select(['id', 'password']).where('password', 'not like', 'enc:v1:%').execute();
  for (const r of rows) {
    if (!isSealed(r.password)) await ctx.db.updateTable('mailboxes').set({ password: sealSecret(r.password) }).where('id', '=', r.id).where('password', '=', r.password).execute();
  }
}

type Mailbox = { id: number; host: string; port: number; secure: boolean; username: string; password: string; folder: string; move_to: string | null };

class MailboxWorker {
  private client: ImapFlow | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  private collecting: Promise<void> = Promise.resolve();

  constructor(private ctx: Ctx, private box: Mailbox, private opts: ImapOptions) {}

  async run() {
    let backoff = 1000;
    while (!this.stopped) {
      try {
        const client = new ImapFlow({ host: this.box.host, port: this.box.port, secure: this.box.secure, auth: { user: this.box.username, pass: openSecret(this.box.password) }, logger: false });
        client.on('error', (e) => this.opts.onError(e));
        client.on('exists', () => this.wake?.());
        await client.connect();
        this.client = client;
        await client.mailboxOpen(this.box.folder);
        backoff = 1000;
        while (!this.stopped && client.usable) {
          await this.collectNow();
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            setTimeout(resolve, this.opts.intervalMs).unref();
          });
        }
      } catch (e) {
        await this.ctx.db.updateTable('mailboxes').set({ last_error: String((e as Error).message ?? e).slice(0, 1000) }).where('id', '=', this.box.id).execute().catch(() => {});
        this.opts.onError(e);
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(backoff * 2, 60_000);
      } finally {
        await this.client?.logout().catch(() => {});
        this.client = null;
      }
    }
  }

  collectNow(): Promise<void> {
    this.collecting = this.collecting.then(() => this.collect()).catch((e) => this.opts.onError(e));
    return this.collecting;
  }

  private async collect() {
    const client = this.client;
    if (!client?.usable) return;
    const found: { uid: number; source: Buffer; messageId: string | null }[] = [];
    for await (const msg of client.fetch({ unKeyword: STORED_FLAG, deleted: false }, { uid: true, source: true, envelope: true }, { uid: true })) {
      if (msg.source) found.push({ uid: msg.uid, source: msg.source, messageId: msg.envelope?.messageId ?? null });
    }
    for (const m of found) {
      const source = `imap:${this.box.id}`;
      const already = m.messageId
        ? await this.ctx.db.selectFrom('inbound_emails').select('id').where('source', '=', source).where('message_id', '=', m.messageId).executeTakeFirst()
        : undefined;
      if (!already) await storeInbound(this.ctx, m.source, { source, messageId: m.messageId });
      // Acknowledge to the mailbox only now that the message is durably ours.
      if (this.box.move_to) await client.messageMove(String(m.uid), this.box.move_to, { uid: true });
      else await client.messageFlagsAdd(String(m.uid), [STORED_FLAG, '\\Seen'], { uid: true });
    }
    await this.ctx.db.updateTable('mailboxes').set({ last_polled_at: this.ctx.clock.now(), last_error: null }).where('id', '=', this.box.id).execute();
    if (found.length) this.opts.onStored();
  }

  async stop() {
    this.stopped = true;
    this.wake?.();
    await this.client?.logout().catch(() => {});
  }
}
