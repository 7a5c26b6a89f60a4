/**
 * The built-in SMTP receiver. It accepts mail for the organisation's support addresses, within
 * a size limit, optionally over STARTTLS, and answers 250 only once the raw message is
 * committed to the database. Processing follows right after, outside the SMTP session.
 * Messages arriving while a store is committing go together in the next one (group commit):
 * one statement and one flush for many sessions, and still no 250 before its own commit.
 */
import fs from 'node:fs';
import { SMTPServer } from 'smtp-server';
import type { Ctx } from '../core/context';
import { getSettings } from '../org';
import { storeInboundMany } from './ingest';

export interface ReceiverOptions {
  port: number;
  host: string;
  maxBytes: number;
  tls?: { key: string; cert: string };
  onStored: () => void;
  onError: (e: unknown) => void;
  /**
   * True while the demo year is written: mail is then refused with a temporary error (the sender
   * retries), since an interrupted seeding starts again on a clean slate and would drop it.
   */
  held?: () => Promise<boolean>;
}

export async function startSmtpReceiver(ctx: Ctx, opts: ReceiverOptions): Promise<{ port: number; close(): Promise<void> }> {
  const store = groupCommit(ctx);
  const settings = sharedRead(() => getSettings(ctx));
  const server = new SMTPServer({
    banner: 'Kept',
    size: opts.maxBytes,
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(opts.tls ? { key: fs.readFileSync(opts.tls.key), cert: fs.readFileSync(opts.tls.cert) } : {}),
    logger: false,
    onRcptTo(address, _session, callback) {
      Promise.all([settings(), opts.held?.() ?? false]).then(([{ supportAddresses }, held]) => {
        if (held) {
          const err = new Error('The help desk is loading its demo data; try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        // support+k12.secret@acme.test is a case's reply address at support@acme.test.
        const to = address.address.toLowerCase();
        if (supportAddresses.length && !supportAddresses.includes(to) && !supportAddresses.includes(to.replace(/\+[^@+]*@/, '@'))) {
          const err = new Error(`No mailbox for ${address.address} here`) as Error & { responseCode: number };
          err.responseCode = 550;
          return callback(err);
        }
        callback();
      }, (e) => callback(e as Error));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          const err = new Error(`Message larger than ${opts.maxBytes} bytes`) as Error & { responseCode: number };
          err.responseCode = 552;
          return callback(err);
        }
        const raw = Buffer.concat(chunks);
        const mailFrom = session.envelope.mailFrom;
        store(raw, {
          source: 'smtp',
          envelopeFrom: mailFrom === false ? null : mailFrom.address,
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        }).then((id) => {
          callback(null, `Stored as message ${id}`);
          opts.onStored();
        }, (e) => {
          opts.onError(e);
          const err = new Error('Temporary failure storing the message; try again') as Error & { responseCode: number };
          err.responseCode = 451; // not stored, not acknowledged: the sender retries
          callback(err);
        });
      });
    },
  });
  server.on('error', opts.onError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Recipients arriving while the settings are being read share that read instead of each sending
 * their own: every RCPT TO is checked against a read under way when it arrived, never against a
 * copy kept from earlier.
 */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => inFlight ??= read().finally(() => { inFlight = null; });
}

type Meta = Parameters<typeof storeInboundMany>[1][number]['meta'];

function groupCommit(ctx: Ctx) {
  const MAX = 200;
  let waiting: { raw: Buffer; meta: Meta; resolve: (id: number) => void; reject: (e: unknown) => void }[] = [];
  let committing = false;
  async function commitWaiting() {
    committing = true;
    while (waiting.length) {
      const batch = waiting.slice(0, MAX);
      waiting = waiting.slice(MAX);
      try {
        const ids = await storeInboundMany(ctx, batch);
        batch.forEach((m, i) => m.resolve(ids[i]!));
      } catch (e) {
        for (const m of batch) m.reject(e); // none stored: each sender is told to retry
      }
    }
    committing = false;
  }
  return (raw: Buffer, meta: Meta) => new Promise<number>((resolve, reject) => {
    waiting.push({ raw, meta, resolve, reject });
    if (!committing) void commitWaiting();
  });
}
