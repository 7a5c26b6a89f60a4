/** One endpoint's delivery log, newest first: what went out, what the receiver answered, and when. */
import { useState } from 'react';
import { Link } from 'wouter';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import type { WebhookDelivery, WebhookDeliveryPage } from '../../../src/api-types';
import { api, post } from '../api';
import { when } from '../format';
import { Empty, ErrorNote, useAction } from './ui';

const PAGE = 20;
const STATUS_WORDS: Record<WebhookDelivery['status'], string> = { pending: 'waiting', delivered: 'delivered', dead: 'given up' };
const STATUS_PILL: Record<WebhookDelivery['status'], string> = { pending: 'pill', delivered: 'pill kept', dead: 'pill broken' };

export function WebhookDeliveries({ webhookId, url }: { webhookId: number; url: string }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState('');
  const log = useInfiniteQuery({
    queryKey: ['webhook-deliveries', webhookId, status],
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (pageParam) q.set('cursor', pageParam);
      if (status) q.set('status', status);
      return api<WebhookDeliveryPage>(`/webhooks/${webhookId}/deliveries?${q}`);
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  // The endpoint's summary (waiting count, last answer) changes with the log, so both refresh.
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['webhook-deliveries', webhookId] }), qc.invalidateQueries({ queryKey: ['webhooks'] })]);
  const redeliver = useAction(async (id: number) => { await post(`/webhooks/${webhookId}/deliveries/${id}/redeliver`); await refresh(); });
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="deliveries" aria-label={`Delivery log of ${url}`}>
      <h3>Delivery log</h3>
      <div className="row">
        <label>Show<select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">all deliveries</option>
          <option value="pending">waiting</option>
          <option value="delivered">delivered</option>
          <option value="dead">given up</option>
        </select></label>
        <button type="button" className="secondary" onClick={() => void refresh()} disabled={log.isFetching}>Refresh<span className="sr"> the delivery log</span></button>
      </div>
      <ErrorNote error={log.error ?? redeliver.error} />
      {rows.length ? (
        <table className="table">
          <thead><tr>
            <th scope="col">Status</th><th scope="col">Event</th><th scope="col">Case</th><th scope="col">Attempts</th><th scope="col">Response</th>
            <th scope="col">Duration</th><th scope="col">Error</th><th scope="col">Time</th><th scope="col"><span className="sr">Actions</span></th>
          </tr></thead>
          <tbody>{rows.map((d) => <DeliveryRow key={d.id} d={d} onRedeliver={() => void redeliver.run(d.id)} busy={redeliver.busy} />)}</tbody>
        </table>
      ) : log.isPending ? <p className="loading">Loading…</p> : <Empty>No deliveries{status ? ` ${STATUS_WORDS[status as WebhookDelivery['status']]}` : ''} yet.</Empty>}
      {log.hasNextPage ? <button type="button" className="secondary" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>Load more</button> : null}
    </section>
  );
}

function DeliveryRow({ d, onRedeliver, busy }: { d: WebhookDelivery; onRedeliver: () => void; busy: boolean }) {
  return (
    <tr data-testid="delivery">
      <td data-label="Status"><span className={STATUS_PILL[d.status]}>{STATUS_WORDS[d.status]}</span>
        {d.status === 'pending' && d.attempts > 0 ? <div className="meta">next try {when(d.nextAttemptAt)}</div> : null}</td>
      <td data-label="Event"><code>{d.eventType}</code></td>
      <td data-label="Case">{d.caseId ? <Link href={`/cases/${d.caseId}`}>#{d.caseId}</Link> : '—'}</td>
      <td data-label="Attempts">{d.attempts}</td>
      <td data-label="Response">{d.lastStatusCode ?? '—'}</td>
      <td data-label="Duration">{d.lastDurationMs === null ? '—' : `${d.lastDurationMs} ms`}</td>
      <td data-label="Error" className="break">{d.lastError ?? '—'}</td>
      <td data-label="Time">{when(d.createdAt)}{d.deliveredAt ? <div className="meta">delivered {when(d.deliveredAt)}</div> : null}</td>
      <td>{d.status === 'pending' ? null : (
        <button type="button" className="link" onClick={onRedeliver} disabled={busy}>Redeliver<span className="sr"> {d.eventType} (delivery {d.id})</span></button>
      )}</td>
    </tr>
  );
}
