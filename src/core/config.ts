import path from 'node:path';
import { z } from 'zod';
import { parseSecretKey } from './secrets';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy';

/** Configuration comes from the environment, validated like any other input. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url().optional(),
  KEPT_DATA_DIR: z.string().default('./data'),
  KEPT_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  KEPT_TIMER_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  KEPT_SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  KEPT_TRUST_PROXY: z.string().optional().transform((v, c) => {
    const parsed = parseTrustProxy(v);
    if (parsed === null) c.addIssue({ code: 'custom', message: 'the addresses (or CIDR ranges) of your proxies, comma-separated, or a number of hops, e.g. 127.0.0.1,10.0.0.0/8' });
    return parsed ?? false;
  }),
  KEPT_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KEPT_SMTP_HOST: z.string().optional(),
  KEPT_SMTP_MAX_BYTES: z.coerce.number().int().min(1024).default(25 * 1024 * 1024),
  KEPT_SMTP_TLS_KEY: z.string().optional(),
  KEPT_SMTP_TLS_CERT: z.string().optional(),
  KEPT_SMTP_OUT: z.string().optional(),
  KEPT_MAIL_FROM: z.string().default('Kept Support <support@kept.local>'),
  KEPT_ATTACHMENTS_DIR: z.string().optional(),
  KEPT_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1).default(10 * 1024 * 1024),
  KEPT_IMAP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** Receiving servers whose Authentication-Results headers are believed (their authserv-ids, comma separated). */
  KEPT_MAIL_TRUSTED_AUTHSERV_IDS: z.string().default(''),
  KEPT_PUBLIC_URL: z.string().url().optional(),
  KEPT_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  KEPT_SECRET_KEY: z.string().refine((k) => parseSecretKey(k) !== null, 'must be 32 bytes in base64 or hex (openssl rand -base64 32)').optional(),
  KEPT_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  KEPT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KEPT_BACKUP_DIR: z.string().optional(),
  KEPT_RETAIN_RAW_EMAIL_MONTHS: z.coerce.number().int().min(1).max(1200).optional(),
  KEPT_BACKUP_EVERY: z.string().regex(/^\d+(m|h|d)$/, 'a number and a unit: 30m, 6h, 1d').default('1d'),
  KEPT_BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export interface Config {
  port: number;
  host: string;
  /** An external PostgreSQL server; when absent Kept runs its own in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedDbPort: number;
  timerIntervalMs: number;
  secureCookies: boolean;
  /** Whose X-Forwarded-For to believe: the client's address then comes from it (KEPT_TRUST_PROXY). */
  trustProxy: TrustProxy;
  logLevel: string;
  mail: MailConfig;
  /** Base URL customers reach Kept on, for survey links. */
  publicUrl: string;
  /** Webhook endpoints may be on private, loopback or link-local addresses. */
  webhooksAllowPrivate: boolean;
  /** Seals stored secrets (IMAP passwords); unset: a key file made once in dataDir. */
  secretKey: string | undefined;
  /** /metrics: bearer token on the main port, and/or a port of its own. */
  metrics: { token: string | undefined; port: number | undefined };
  /** Scheduled backups (embedded engine): folder (unset: off), interval in ms, how many to keep. */
  backup: { dir: string | undefined; everyMs: number; keep: number };
  /** Months after which raw emails are emptied (unset: kept). */
  retainRawEmailMonths: number | undefined;
}

export interface MailConfig {
  /** The built-in SMTP receiver; off unless a port is given. */
  receiver: { port: number; host: string; maxBytes: number; tls?: { key: string; cert: string } } | null;
  /** smtp://user:pass@host:port for outgoing mail; without it mail waits in the queue. */
  transportUrl: string | null;
  from: string;
  attachmentsDir: string;
  attachmentMaxBytes: number;
  imapIntervalMs: number;
  /** authserv-ids of receiving servers whose DKIM/SPF verdicts count as proof of a sender's domain. */
  trustedAuthservIds?: string[];
}

/** A setting in the environment Kept cannot use: its message names each one and what it takes. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.KEPT_DATA_DIR),
    embeddedDbPort: e.KEPT_DB_PORT,
    timerIntervalMs: e.KEPT_TIMER_INTERVAL_MS,
    secureCookies: e.KEPT_SECURE_COOKIES === 'true',
    trustProxy: e.KEPT_TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.KEPT_PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    webhooksAllowPrivate: e.KEPT_WEBHOOKS_ALLOW_PRIVATE === 'true',
    secretKey: e.KEPT_SECRET_KEY,
    metrics: { token: e.KEPT_METRICS_TOKEN, port: e.KEPT_METRICS_PORT },
    retainRawEmailMonths: e.KEPT_RETAIN_RAW_EMAIL_MONTHS,
    backup: { dir: e.KEPT_BACKUP_DIR ? path.resolve(e.KEPT_BACKUP_DIR) : undefined, everyMs: durationMs(e.KEPT_BACKUP_EVERY), keep: e.KEPT_BACKUP_KEEP },
    mail: {
      receiver: e.KEPT_SMTP_PORT === undefined ? null : {
        port: e.KEPT_SMTP_PORT,
        host: e.KEPT_SMTP_HOST ?? e.HOST,
        maxBytes: e.KEPT_SMTP_MAX_BYTES,
        tls: e.KEPT_SMTP_TLS_KEY && e.KEPT_SMTP_TLS_CERT ? { key: e.KEPT_SMTP_TLS_KEY, cert: e.KEPT_SMTP_TLS_CERT } : undefined,
      },
      transportUrl: e.KEPT_SMTP_OUT ?? null,
      from: e.KEPT_MAIL_FROM,
      attachmentsDir: path.resolve(e.KEPT_ATTACHMENTS_DIR ?? path.join(e.KEPT_DATA_DIR, 'attachments')),
      attachmentMaxBytes: e.KEPT_ATTACHMENT_MAX_BYTES,
      imapIntervalMs: e.KEPT_IMAP_INTERVAL_MS,
      trustedAuthservIds: e.KEPT_MAIL_TRUSTED_AUTHSERV_IDS.split(',').map((s) => s.trim()).filter(Boolean),
    },
  };
}

function durationMs(text: string): number {
  const n = Number(text.slice(0, -1));
  return n * { m: 60_000, h: 3_600_000, d: 86_400_000 }[text.slice(-1) as 'm' | 'h' | 'd'];
}
