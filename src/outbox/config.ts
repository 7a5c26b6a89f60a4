/**
 * How Kept sends mail: the From address, the domain for Message-IDs, and the SMTP transport
 * (KEPT_SMTP_OUT). Set once when the app starts; without a transport, mail waits in the queue.
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutboxConfig {
  from: string;
  domain: string;
  transport: Transporter | null;
}

let config: OutboxConfig = { from: 'Kept Support <support@kept.local>', domain: 'kept.local', transport: null };

export function configureOutbox(opts: { from?: string; transportUrl?: string | null }) {
  const from = opts.from ?? config.from;
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'kept.local';
  config = { from, domain, transport: opts.transportUrl ? nodemailer.createTransport(opts.transportUrl) : null };
}

export function outboxConfig(): OutboxConfig {
  return config;
}
