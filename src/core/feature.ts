/**
 * What a feature adds to the app, in one place: routes under /api/v1, public pages, timers and
 * subscribers. The app registers a list of features; no feature is wired by hand.
 */
import type { App } from './http/server';
import type { EventHub } from './events';
import type { Subscriber } from './subscribers';
import type { Sweep } from './timers';

/** What the running app lends to features' routes. */
export interface AppServices {
  hub: EventHub;
  /** Tell the mail pollers the mailbox list changed. */
  mailboxesChanged(): void;
}

export interface Feature {
  name: string;
  routes?(api: App, services: AppServices): void;
  /** Routes outside /api/v1: public pages such as the survey page. */
  pages?(app: App): void | Promise<void>;
  timers?: Record<string, Sweep>;
  /** Sweeps that wait on the outside world (webhook receivers, SMTP): each gets a loop of its own. */
  workers?: Record<string, Sweep>;
  subscribers?: Subscriber[];
}
