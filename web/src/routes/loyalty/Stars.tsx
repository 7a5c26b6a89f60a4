/** Service stars: recognition from what customers experienced, shrunk toward the team so luck does not win; and kudos. */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, post } from '../../api';
import type { KudosFeed, ServiceStars, Staff } from '../../../../src/api-types';
import { useMe } from '../../session';
import { Empty, ErrorNote, Section, useAction } from '../../components/ui';
import { MonthPicker } from './shared';

export function Stars() {
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const stars = useQuery({ queryKey: ['stars', month], queryFn: () => api<ServiceStars>(`/stars?month=${month}`) });
  const s = stars.data;
  return (
    <>
      <MonthPicker month={month} setMonth={setMonth} />
      <ErrorNote error={stars.error} />
      <Section title="Service stars of the month">
        {s?.people.length ? (
          <ol className="stars">{s.people.map((p) => (
            <li key={p.staffId}>
              <div className="star-head"><strong>{p.star ? '★ ' : ''}{p.name}</strong> <span>{p.score.toFixed(0)}</span></div>
              <svg viewBox="0 0 100 8" className="interval" role="img" aria-label={`Score ${p.score.toFixed(0)}, 95 % interval ${p.low.toFixed(0)} to ${p.high.toFixed(0)}, team rate ${(p.teamRate * 100).toFixed(0)}`}>
                <rect x="0" y="3" width="100" height="2" fill="#d0d7de" />
                <rect x={p.low} y="1" width={Math.max(p.high - p.low, 0.5)} height="6" fill="#9db7d5" />
                <line x1={p.teamRate * 100} x2={p.teamRate * 100} y1="0" y2="8" stroke="#57606a" strokeWidth="0.6" />
                <circle cx={p.score} cy="4" r="2.2" fill="#0b5cad" />
              </svg>
              <p className="meta">{p.good} good of {p.moments} moments · {Object.entries(p.categories).filter(([, c]) => c.moments).map(([k, c]) => `${k} ${c.good}/${c.moments}`).join(' · ')}</p>
            </li>
          ))}</ol>
        ) : s ? <Empty>No recognition recorded this month yet.</Empty> : null}
        {s ? <p className="meta">Score = (good moments + {s.credibilityK} × team rate) / (moments + {s.credibilityK}): few moments stay close to the team rate (the grey line). A star's whole interval is above it. Never from sales, volume or handle time.{s.excludedCategories.length ? ` Not counted: ${s.excludedCategories.join(', ')}.` : ''}</p> : null}
      </Section>
      <Kudos />
    </>
  );
}

function Kudos() {
  const me = useMe().data!;
  const qc = useQueryClient();
  const staff = useQuery({ queryKey: ['staff', 'all'], queryFn: () => api<{ items: Staff[] }>('/staff') });
  const feed = useQuery({ queryKey: ['kudos'], queryFn: () => api<KudosFeed>('/kudos?limit=30') });
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const give = useAction(async () => {
    await post('/kudos', { toStaffId: Number(to), reason });
    setReason('');
    await qc.invalidateQueries({ queryKey: ['kudos'] });
    await qc.invalidateQueries({ queryKey: ['stars'] });
  });
  return (
    <Section title="Kudos">
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void give.run(); }}>
        <label>To<select value={to} onChange={(e) => setTo(e.target.value)} required>
          <option value="">— a colleague —</option>
          {staff.data?.items.filter((p) => p.id !== me.id && p.active).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </select></label>
        <label className="grow">Why<input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} required /></label>
        <button type="submit" disabled={give.busy}>Give kudos</button>
      </form>
      <ErrorNote error={give.error} />
      {feed.data?.items.length ? <ul className="list">{feed.data.items.map((k) => (
        <li key={k.id}><strong>{k.toStaffName}</strong> from {k.fromStaffName ?? 'a customer'}: “{k.reason}” <span className="meta">· {new Date(k.createdAt).toLocaleDateString()}</span></li>
      ))}</ul> : <Empty>No kudos yet.</Empty>}
    </Section>
  );
}
