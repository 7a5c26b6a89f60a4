/**
 * Kept assembled: the database, the HTTP API under /api/v1, and the durable timers.
 * Used by `kept start`, by the tests (with a manual clock) and by the benchmark.
 */
import type { Clock } from './core/clock';
import { connect, type Db } from './core/db/connect';
import { createHttp, type App } from './core/http/server';
import { startTimers, type Timers } from './core/timers';
import { actorForToken, staffRoutes } from './staff';
import { orgRoutes } from './org/routes';
import { standardsRoutes } from './standards/routes';
import { customerRoutes } from './customers/routes';
import { caseRoutes } from './cases/routes';
import { handoverRoutes } from './handovers/routes';
import { commitmentRoutes } from './commitments/routes';
import { notificationRoutes } from './notifications/routes';
import { auditRoutes } from './audit/routes';
import { expireHandovers } from './handovers';
import path from 'node:path';
import { decisionRoutes } from './decisions/routes';
import { escalateOverdueApprovals } from './decisions';
import { recoveryRoutes } from './recovery/routes';
import { surveyPageRoutes, surveyRoutes } from './surveys/routes';
import { configureSurveys } from './surveys/config';
import { askRecoveredCustomers, sendScheduledSurveys } from './surveys/service';
import { reviewRoutes } from './review/routes';
import { remindFollowUps } from './recovery';
import type { MailConfig } from './core/config';
import { configureOutbox, deliverDueEmails } from './outbox';
import { configureAttachments, configureMailTrust, emailRoutes, processStoredEmails, startImapPolling, startSmtpReceiver } from './email';
import { myWorkRoutes } from './mywork/routes';
import { liveRoutes } from './live/routes';
import { startEventHub } from './core/events';
import { serveWorkspace } from './core/http/workspace';
import { breakOverdueCommitments, warnOfDueCommitments } from './commitments';

export interface KeptOptions {
  databaseUrl: string;
  clock: Clock;
  logLevel?: string;
  timerIntervalMs?: number;
  /** Tests turn the background timer loop off and call timers.runDue() after moving the clock. */
  autoTimers?: boolean;
  poolSize?: number;
  secureCookies?: boolean;
  mail?: Partial<MailConfig>;
  /** Where customers open survey links (KEPT_PUBLIC_URL). */
  publicUrl?: string;
}

export interface Kept {
  http: App;
  db: Db;
  timers: Timers;
  /** The SMTP receiver's port when it runs. */
  smtpPort: number | null;
  imap: ReturnType<typeof startImapPolling>;
  close(): Promise<void>;
}

export async function createKept(opts: KeptOptions): Promise<Kept> {
  const { db } = connect(opts.databaseUrl, opts.poolSize ?? 20);
  const http = createHttp({
    db,
    clock: opts.clock,
    resolveActor: actorForToken,
    logLevel: opts.logLevel ?? 'info',
    secureCookies: opts.secureCookies ?? false,
  });

  http.get('/api/v1/health', { config: { access: 'public' }, schema: { tags: ['health'] } }, async () => {
    await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
    return { status: 'ok', time: opts.clock.now() };
  });
  http.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } as object }, async () => http.swagger());
  const mail: MailConfig = {
    receiver: null, transportUrl: null, from: 'Kept Support <support@kept.local>', attachmentsDir: path.resolve('data/attachments'),
    attachmentMaxBytes: 10 * 1024 * 1024, imapIntervalMs: 60_000, ...opts.mail,
  };
  configureOutbox({ from: mail.from, transportUrl: mail.transportUrl });
  configureSurveys({ publicUrl: opts.publicUrl ?? 'http://localhost:3000' });
  configureAttachments({ dir: mail.attachmentsDir, maxBytes: mail.attachmentMaxBytes });
  configureMailTrust({ authservIds: mail.trustedAuthservIds });
  const hub = await startEventHub(opts.databaseUrl, (e) => http.log.warn({ err: e }, 'live events connection lost'));
  surveyPageRoutes(http);
  await serveWorkspace(http);

  await http.register(async (api) => {
    for (const routes of [staffRoutes, orgRoutes, standardsRoutes, customerRoutes, caseRoutes, handoverRoutes, commitmentRoutes, notificationRoutes, auditRoutes, myWorkRoutes]) {
      routes(api as unknown as App);
    }
    liveRoutes(api as unknown as App, hub);
    decisionRoutes(api as unknown as App);
    recoveryRoutes(api as unknown as App);
    surveyRoutes(api as unknown as App);
    reviewRoutes(api as unknown as App);
    emailRoutes(api as unknown as App, { mailboxesChanged: () => void imap.pollNow().catch(() => {}) });
  }, { prefix: '/api/v1' });

  const timers = startTimers(
    { db, clock: opts.clock, actor: null },
    { expireHandovers, warnOfDueCommitments, breakOverdueCommitments, processStoredEmails, deliverDueEmails, escalateOverdueApprovals, askRecoveredCustomers, remindFollowUps, sendScheduledSurveys },
    {
      intervalMs: opts.timerIntervalMs ?? 1000,
      autoStart: opts.autoTimers ?? true,
      onError: (name, e) => http.log.error({ err: e }, `timer ${name} failed`),
    },
  );

  const system = { db, clock: opts.clock, actor: null };
  const onMailError = (e: unknown) => http.log.warn({ err: e }, 'mail');
  const kick = () => void timers.runDue();
  const receiver = mail.receiver ? await startSmtpReceiver(system, { ...mail.receiver, onStored: kick, onError: onMailError }) : null;
  const imap = startImapPolling(system, { intervalMs: mail.imapIntervalMs, onStored: kick, onError: onMailError });

  return {
    http,
    db,
    timers,
    smtpPort: receiver?.port ?? null,
    imap,
    async close() {
      await receiver?.close();
      await imap.close();
      await timers.stop();
      await hub.close();
      await http.close();
      await db.destroy();
    },
  };
}
