/**
 * Live updates. Timeline entries and notifications announce themselves with pg_notify from a
 * trigger (migration 0002), so an event is delivered only if its change commits, and to every
 * app instance on the same database (embedded or server alike). Each instance keeps one
 * LISTEN connection and fans events out to its own subscribers (the browsers' event streams).
 */
import pg from 'pg';

const CHANNEL = 'kept_events';

export type LiveEvent =
  | { type: 'notification'; staffId: number; kind: string; caseId: number | null }
  | { type: 'case'; caseId: number; kind: string }
  /** Something happened in a live chat (a message up to seq, typing, the queue moved): fetch it, or show the typing. */
  | { type: 'chat'; conversationId: number | null; kind: string; seq?: number; author?: string }
  /** Someone has a case open (or is typing on it): never stored, only announced (see live/presence.ts). */
  | { type: 'presence'; caseId: number; staffId: number; name: string; state: 'viewing' | 'typing' | 'left' };

/** The signal that domain events were committed (migration 0010): it wakes the subscribers. */
type DomainSignal = { type: 'domain' };

export interface EventHub {
  subscribe(listener: (e: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

export async function startEventHub(databaseUrl: string, onError: (e: unknown) => void, onDomainEvents: () => void = () => {}): Promise<EventHub> {
  const listeners = new Set<(e: LiveEvent) => void>();
  let client: pg.Client | null = null;
  let closed = false;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('notification', (msg) => {
      if (!msg.payload) return;
      const event = JSON.parse(msg.payload) as LiveEvent | DomainSignal;
      if (event.type === 'domain') return onDomainEvents();
      for (const l of listeners) l(event);
    });
    c.on('error', (e) => {
      if (closed) return; // shutting down: the database going away is expected
      onError(e);
      reconnect(); // the database restarted: listen again
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  };
  const reconnect = () => {
    if (closed) return;
    setTimeout(() => connect().catch((e) => {
      onError(e);
      reconnect(); // keep trying until the database is back
    }), 1000).unref();
  };
  await connect();

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      await client?.end().catch(() => {});
    },
  };
}
