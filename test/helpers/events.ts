import type { Api } from './api';

export interface ApiEvent { id: number; type: string; caseId: number | null; data: Record<string, unknown> }

/**
 * Reads GET /events as an integration would: the API serves only events that no running
 * transaction can precede, and other test files' transactions on the same cluster may hold that
 * point back for a moment. So poll until `enough` holds (or give up after `ms` and return what came).
 */
export async function eventsWhen(api: Api, query: string, enough: (events: ApiEvent[]) => boolean, ms = 10_000): Promise<ApiEvent[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const events = (await api.get(`/events?${query}`)).body.items as ApiEvent[];
    if (enough(events) || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}
