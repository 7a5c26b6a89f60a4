/** A local SMTP sink standing in for the world's mail servers: it keeps what Kept sends. */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';

export interface Sink {
  port: number;
  received: (ParsedMail & { envelopeTo: string[] })[];
  /** Called for every message; e.g. a vacation responder answering back. */
  onMessage: ((m: ParsedMail & { envelopeTo: string[] }) => Promise<void>) | null;
  /** Addresses the sink refuses permanently (550). */
  refuse: Set<string>;
  waitFor(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const sink: Sink = {
    port: 0, received: [], onMessage: null, refuse: new Set(),
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (sink.received.length < n) {
        if (Date.now() > deadline) throw new Error(`sink has ${sink.received.length} messages, expected ${n}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false,
    onRcptTo(address, _s, cb) {
      if (sink.refuse.has(address.address)) {
        const e = new Error('No such user here') as Error & { responseCode: number };
        e.responseCode = 550;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(async (m) => {
        const mail = Object.assign(m, { envelopeTo: session.envelope.rcptTo.map((r) => r.address) });
        sink.received.push(mail);
        cb();
        await sink.onMessage?.(mail);
      }, cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sink.port = (server.server.address() as { port: number }).port;
  sink.close = () => new Promise((r) => server.close(() => r()));
  return sink;
}

/** A real SMTP client session to Kept's receiver. */
export function smtpClient(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: false });
}
