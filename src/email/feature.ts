import type { Feature } from '../core/feature';
import { emailRoutes } from './routes';
import { processStoredEmails } from './ingest';

/** The SMTP receiver and IMAP pollers are started by the app (they hold sockets); this is the rest. */
export const emailFeature: Feature = {
  name: 'email', routes: (api, services) => emailRoutes(api, { mailboxesChanged: services.mailboxesChanged }), workers: { processStoredEmails }, // its own loop: filing never waits behind the timers
};
