/**
 * Durable timers. Every timer in Kept is a due column on a domain row (a hand-over's expiry, a
 * promise's warning and due time); a sweep claims due rows with FOR UPDATE SKIP LOCKED and
 * changes their state in one transaction. So timers survive restarts, fire once across app
 * instances, and fire late rather than never if the server was down at the due time.
 */
import type { Ctx } from './context';

export type Sweep = (ctx: Ctx) => Promise<number>;

export interface Timers {
  /** Runs every sweep until none has anything left due; returns how many timers fired. */
  runDue(): Promise<number>;
  /** Asks for a run soon; many asks while one is waiting make one run. */
  kick(): void;
  stop(): Promise<void>;
}

export function startTimers(
  ctx: Ctx,
  sweeps: Record<string, Sweep>,
  opts: {
    intervalMs: number; onError: (name: string, e: unknown) => void; autoStart?: boolean; onFired?: () => void;
    /** While this says so, nothing fires (e.g. demo history is being written with a clock of its own). */
    held?: () => Promise<boolean>;
  },
): Timers {
  let running: Promise<number> | null = null;
  let stopped = false;

  async function sweepAll(): Promise<number> {
    let total = 0;
    if (await opts.held?.()) return 0;
    for (;;) {
      let fired = 0;
      for (const [name, sweep] of Object.entries(sweeps)) {
        try {
          fired += await sweep(ctx);
        } catch (e) {
          opts.onError(name, e);
        }
      }
      total += fired;
      if (fired > 0) opts.onFired?.(); // e.g. subscribers made deliveries: wake their sender now
      if (fired === 0 || stopped) return total;
    }
  }

  function runDue(): Promise<number> {
    // One sweep at a time per instance; callers arriving meanwhile wait for it and run again.
    const next = (running ?? Promise.resolve(0)).then(sweepAll, sweepAll);
    running = next;
    return next;
  }

  let kicked = false;
  function kick() {
    if (kicked || stopped) return;
    kicked = true;
    const next = (running ?? Promise.resolve(0)).then(() => { kicked = false; return sweepAll(); }, () => { kicked = false; return sweepAll(); });
    running = next;
  }

  let ticking = false;
  const tick = async () => {
    if (ticking) return; // a slow sweep is still running: skip this beat rather than queue up behind it
    ticking = true;
    try {
      await runDue();
    } finally {
      ticking = false;
    }
  };
  const handle = opts.autoStart === false ? null : setInterval(() => void tick(), opts.intervalMs);
  handle?.unref();

  return {
    runDue,
    kick,
    async stop() {
      stopped = true;
      if (handle) clearInterval(handle);
      await running?.catch(() => 0);
    },
  };
}

/** Several loops as one: runDue runs them all until none has anything left (as tests need). */
export function combineLoops(loops: Timers[]): Timers {
  return {
    async runDue() {
      let total = 0;
      for (;;) {
        let fired = 0;
        for (const l of loops) fired += await l.runDue();
        total += fired;
        if (!fired) return total;
      }
    },
    kick() {
      for (const l of loops) l.kick();
    },
    async stop() {
      await Promise.all(loops.map((l) => l.stop()));
    },
  };
}
