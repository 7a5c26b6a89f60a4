/** The seven loyalty inputs: where we are and want to be, by several leaders, with the spread, the trend and the actions. */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, post } from '../../api';
import type { LoyaltyInputs, Staff } from '../../../../src/api-types';
import { useMe } from '../../session';
import { ErrorNote, Section, useAction } from '../../components/ui';
import { one } from './shared';

type Input = LoyaltyInputs['inputs'][number];

/** The 1–5 scale: raters' spread as a bar, the mean as a dot, the target as a square. */
function Scale({ i }: { i: Input }) {
  const x = (v: number) => 10 + ((v - 1) / 4) * 180;
  return (
    <svg viewBox="0 0 200 24" className="scale" role="img" aria-label={`Now ${one(i.current.mean)} (raters ${i.current.min ?? '—'} to ${i.current.max ?? '—'}), target ${one(i.target.mean)}`}>
      <line x1="10" x2="190" y1="12" y2="12" stroke="#d0d7de" strokeWidth="2" />
      {[1, 2, 3, 4, 5].map((v) => <text key={v} x={x(v)} y="23" fontSize="6" textAnchor="middle" fill="#57606a">{v}</text>)}
      {i.current.min !== null ? <line x1={x(i.current.min)} x2={x(i.current.max!)} y1="12" y2="12" stroke="#9db7d5" strokeWidth="6" strokeLinecap="round" /> : null}
      {i.current.mean !== null ? <circle cx={x(i.current.mean)} cy="12" r="4" fill="#0b5cad" /> : null}
      {i.target.mean !== null ? <rect x={x(i.target.mean) - 4} y="8" width="8" height="8" fill="#1a7f37" /> : null}
    </svg>
  );
}

export function Inputs() {
  const me = useMe().data!;
  const data = useQuery({ queryKey: ['loyalty-inputs'], queryFn: () => api<LoyaltyInputs>('/loyalty-inputs') });
  const d = data.data;
  const canAssess = ['manager', 'admin', 'executive'].includes(me.role);
  return (
    <>
      <ErrorNote error={data.error} />
      {d ? (
        <>
          <p className="meta">{d.quarter}. Dot: where we are (mean of the leaders who rated); bar: their spread; square: where we want to be.</p>
          {d.overdueActions.length ? (
            <Section title="Overdue actions" count={d.overdueActions.length}>
              <ul className="list">{d.overdueActions.map((a) => <li key={a.commitmentId}><strong>{a.input}</strong>: {a.text} <span className="meta">· {a.ownerName ?? 'no owner'} · due {new Date(a.dueAt).toLocaleDateString()} · {a.status === 'broken' ? 'broken promise' : 'overdue'}</span></li>)}</ul>
            </Section>
          ) : null}
          <div className="grid">{d.inputs.map((i) => <InputCard key={i.key} i={i} levels={d.levels} canAssess={canAssess} />)}</div>
        </>
      ) : null}
    </>
  );
}

function InputCard({ i, levels, canAssess }: { i: Input; levels: LoyaltyInputs['levels']; canAssess: boolean }) {
  const qc = useQueryClient();
  const staff = useQuery({ queryKey: ['staff', 'all'], queryFn: () => api<{ items: Staff[] }>('/staff'), enabled: canAssess });
  const [current, setCurrent] = useState('');
  const [target, setTarget] = useState('');
  const [evidence, setEvidence] = useState('');
  const [action, setAction] = useState('');
  const [due, setDue] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['loyalty-inputs'] });
  const rate = useAction(async () => { await post(`/loyalty-inputs/${i.key}/ratings`, { current: Number(current), target: Number(target), evidence: evidence || null }); await refresh(); });
  const lead = useAction(async (id: string) => { await api(`/loyalty-inputs/${i.key}/leader`, { method: 'PUT', body: { leaderId: id ? Number(id) : null } }); await refresh(); });
  const act = useAction(async () => { await post(`/loyalty-inputs/${i.key}/actions`, { text: action, dueAt: new Date(`${due}T17:00:00`).toISOString() }); setAction(''); await refresh(); });
  const levelSelect = (label: string, value: string, set: (v: string) => void) => (
    <label>{label}<select value={value} onChange={(e) => set(e.target.value)} required>
      <option value="">—</option>{levels.map((l) => <option key={l.level} value={l.level}>{l.level} {l.name}: {l.description}</option>)}
    </select></label>
  );
  return (
    <Section title={i.name}>
      <p className="meta">{i.description}</p>
      <Scale i={i} />
      <p>Now {one(i.current.mean)} → want {one(i.target.mean)} · {i.ratings.length} leaders rated{i.current.sd !== null ? ` · spread ±${one(i.current.sd)}` : ''}</p>
      <p className="meta">Trend: {i.trend.map((t) => `${t.quarter} ${one(t.current)}`).join(' · ')}</p>
      <p>Accountable: {i.leader?.name ?? <span className="meta">nobody yet</span>}</p>
      {i.ratings.filter((r) => r.evidence).map((r) => <p key={r.raterId} className="meta">{r.raterName}: “{r.evidence}”</p>)}
      {i.actions.length ? <ul className="list">{i.actions.map((a) => <li key={a.commitmentId}>{a.text} <span className="meta">· {a.ownerName} · due {new Date(a.dueAt).toLocaleDateString()} · {a.overdue ? 'overdue' : a.status}</span></li>)}</ul> : null}
      {canAssess ? (
        <details>
          <summary>Rate, lead, act</summary>
          <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void rate.run(); }}>
            {levelSelect('Where we are', current, setCurrent)}
            {levelSelect('Where we want to be', target, setTarget)}
            <label>Evidence<input value={evidence} onChange={(e) => setEvidence(e.target.value)} maxLength={4000} /></label>
            <button type="submit" disabled={rate.busy}>Save my rating</button>
          </form>
          <ErrorNote error={rate.error} />
          <label>Accountable leader<select value={i.leader?.id ?? ''} onChange={(e) => void lead.run(e.target.value)}>
            <option value="">— nobody —</option>{staff.data?.items.filter((s) => s.active).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select></label>
          <ErrorNote error={lead.error} />
          <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void act.run(); }}>
            <label>Action<input value={action} onChange={(e) => setAction(e.target.value)} maxLength={2000} required /></label>
            <label>Due<input type="date" value={due} onChange={(e) => setDue(e.target.value)} required /></label>
            <button type="submit" disabled={act.busy}>Add action</button>
          </form>
          <ErrorNote error={act.error} />
        </details>
      ) : null}
    </Section>
  );
}
