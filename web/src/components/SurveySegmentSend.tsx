/**
 * Send a relationship survey to a segment: choose the segment (and, if wanted, only customers in
 * touch lately), see how many will be asked and why others will not, confirm. The latest send's
 * progress follows below, while the outbox works through it at the mail server's pace.
 */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Survey } from '../../../src/api-types';
import { api, post } from '../api';
import { ErrorNote, useAction } from './ui';

interface Audience { customers: number; eligible: number; skipped: Record<string, number> }
interface Send { id: number; segment: string | null; invited: number; createdAt: string; progress: { queued: number; sent: number; failed: number; portal: number; answered: number; completed: number } }

const n = (x: number) => x.toLocaleString('en');

export function SurveySegmentSend({ survey }: { survey: Survey }) {
  const qc = useQueryClient();
  const [segment, setSegment] = useState(survey.segment ?? '');
  const [days, setDays] = useState('');
  const [audience, setAudience] = useState<Audience | null>(null);
  const query = () => new URLSearchParams({ ...(segment ? { segment } : {}), ...(days ? { contactedWithinDays: days } : {}) }).toString();
  const sends = useQuery({
    queryKey: ['survey-sends', survey.id],
    queryFn: () => api<{ items: Send[] }>(`/surveys/${survey.id}/sends`),
    refetchInterval: (q) => (q.state.data?.items[0]?.progress.queued ? 2000 : false),
  });
  const count = useAction(async () => setAudience(await api<Audience>(`/surveys/${survey.id}/audience?${query()}`)));
  const send = useAction(async () => {
    await post(`/surveys/${survey.id}/send`, { ...(segment ? { segment } : {}), ...(days ? { contactedWithinDays: Number(days) } : {}) });
    setAudience(null);
    await qc.invalidateQueries({ queryKey: ['survey-sends', survey.id] });
  });
  const latest = sends.data?.items[0];
  return (
    <div className="stack">
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void count.run(); }}>
        <label>Segment<input value={segment} onChange={(e) => { setSegment(e.target.value); setAudience(null); }} /></label>
        <label>In touch within (days)<input type="number" min={1} value={days} onChange={(e) => { setDays(e.target.value); setAudience(null); }} /></label>
        <button type="submit" className="secondary" disabled={count.busy || (!segment && !days)}>Count customers<span className="sr"> for {survey.name}</span></button>
      </form>
      {audience ? (
        <p className="row wrap">
          <span>{n(audience.eligible)} of {n(audience.customers)} customers will be asked{Object.keys(audience.skipped).length
            ? ` (not asked: ${Object.entries(audience.skipped).map(([why, k]) => `${n(k)} ${why}`).join('; ')})` : ''}.</span>
          <button type="button" disabled={send.busy || !audience.eligible} onClick={() => void send.run()}>Send to {n(audience.eligible)} customers</button>
        </p>
      ) : null}
      <ErrorNote error={count.error ?? send.error} />
      {latest ? (
        <p role="status" className="meta">
          Latest send{latest.segment ? ` to ${latest.segment}` : ''}: {n(latest.invited)} invited · {n(latest.progress.queued)} queued · {n(latest.progress.sent)} sent
          · {n(latest.progress.failed)} failed{latest.progress.portal ? ` · ${n(latest.progress.portal)} portal only` : ''} · {n(latest.progress.answered)} answered
        </p>
      ) : null}
    </div>
  );
}
