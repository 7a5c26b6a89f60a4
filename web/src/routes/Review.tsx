/** The monthly management review: the loyalty figures leaders are accountable for, with their uncertainty. */
import { useState } from 'react';
import { Link } from 'wouter';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import type { Department, RecoveryItem, Review as ReviewData, Staff, SurveyFigures, Team } from '../../../src/api-types';
import { ErrorNote, Section } from '../components/ui';


const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const one = (v: number | null) => (v === null ? '—' : v.toFixed(1));

function lastMonth() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export function Review() {
  const [month, setMonth] = useState(lastMonth);
  const review = useQuery({ queryKey: ['review', month], queryFn: () => api<ReviewData>(`/reviews/${month}`) });
  const r = review.data;
  return (
    <>
      <h1>Monthly loyalty review</h1>
      <div className="row filters">
        <label>Month<input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} /></label>
        <a href={`/api/v1/reviews/${month}/pdf`}>Download PDF</a>
        <a href={`/api/v1/reviews/${month}/csv`}>Download CSV</a>
      </div>
      <ErrorNote error={review.error} />
      {r ? (
        <>
          <div className="grid">
            <Section title="Net Promoter Score">
              <p className="headline">{one(r.nps.nps)}</p>
              <p>95 % interval {one(r.nps.low)} to {one(r.nps.high)} · {r.nps.answers} answers</p>
              <p className="meta">For ±5 points, {r.nps.answersFor5PointMargin.toLocaleString()} answers are needed.</p>
              <p className="meta">{r.nps.change === null ? 'No comparison with the month before.' : `${r.nps.change > 0 ? '+' : ''}${r.nps.change.toFixed(1)} since last month: ${r.nps.significantChange ? 'a real change' : 'within the noise'}.`}</p>
            </Section>
            <Section title="Response rate">
              <p className="headline">{pct(r.responseRate.rate)}</p>
              <p>{r.responseRate.answered} of {r.responseRate.invitations} invitations answered</p>
            </Section>
            <Section title="Promises kept">
              <p className="headline">{pct(r.promises.keptRate)}</p>
              <p>{r.promises.kept} kept, {r.promises.broken} broken</p>
            </Section>
            <Section title="Recoveries fixed within 24 h">
              <p className="headline">{pct(r.recoveries.shareFixedWithin24h)}</p>
              <p>{r.recoveries.opened} opened · mean {one(r.recoveries.meanHoursToFix)} h to fix · surprise rate {pct(r.recoveries.surpriseRate)}</p>
            </Section>
          </div>
          <Section title="NPS trend with 95 % intervals">
            <Trend points={r.trend} />
          </Section>
          <Breakdown from={r.from} to={r.to} />
          <CausedBy />
          <Section title="Detractor follow-ups">
            <p>{r.detractorFollowUps.detractors} unhappy answers · {r.detractorFollowUps.withRecovery} recoveries opened · {r.detractorFollowUps.fixedWithin24h} fixed within 24 h · {r.detractorFollowUps.fixedLate} late · {r.detractorFollowUps.stillOpen} still open · loyalty recovered for {r.detractorFollowUps.loyaltyRecovered}</p>
          </Section>
          <Section title="What customers wrote about">
            {r.themes.length ? <ul className="list">{r.themes.map((t) => <li key={t.phrase}><strong>{t.phrase}</strong> ({t.comments} comments)<div className="meta">“{t.example}”</div></li>)}</ul> : <p className="empty">No recurring themes.</p>}
          </Section>
        </>
      ) : null}
    </>
  );
}

/** Each month's NPS as a dot with its interval as a bar; drawn in SVG so it prints and scales. */
function Trend({ points }: { points: ReviewData['trend'] }) {
  const w = 600, h = 220, pad = 30;
  const y = (v: number) => pad + ((100 - v) / 200) * (h - 2 * pad);
  const x = (i: number) => pad + ((i + 0.5) * (w - 2 * pad)) / points.length;
  const summary = points.map((p) => `${p.month}: ${p.nps === null ? 'no answers' : `${p.nps.toFixed(1)} (${p.low!.toFixed(1)} to ${p.high!.toFixed(1)})`}`).join('; ');
  return (
    <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`NPS by month: ${summary}`} className="trend">
      <line x1={pad} x2={w - pad} y1={y(0)} y2={y(0)} stroke="#8c959f" strokeDasharray="4 4" />
      <text x={4} y={y(100) + 4} fontSize="11" fill="#57606a">100</text>
      <text x={4} y={y(0) + 4} fontSize="11" fill="#57606a">0</text>
      <text x={4} y={y(-100) + 4} fontSize="11" fill="#57606a">-100</text>
      {points.map((p, i) => (
        <g key={p.month}>
          <text x={x(i)} y={h - 6} fontSize="11" textAnchor="middle" fill="#57606a">{p.month}</text>
          {p.nps !== null ? <>
            <line x1={x(i)} x2={x(i)} y1={y(p.high!)} y2={y(p.low!)} stroke="#0b5cad" strokeWidth="3" />
            <circle cx={x(i)} cy={y(p.nps)} r="5" fill="#0b5cad" />
            <text x={x(i) + 8} y={y(p.nps) + 4} fontSize="12">{p.nps.toFixed(0)}</text>
          </> : null}
        </g>
      ))}
    </svg>
  );
}

const BY = [['team', 'Team'], ['agent', 'Agent'], ['case_type', 'Case type'], ['channel', 'Channel'], ['touchpoint', 'Touchpoint'], ['department', 'Department that caused it']] as const;

/** NPS per team, agent, case type... for the month, each with its interval so small groups are not over-read. */
function Breakdown({ from, to }: { from: string; to: string }) {
  const [by, setBy] = useState<(typeof BY)[number][0]>('team');
  const figures = useQuery({
    queryKey: ['survey-figures', by, from],
    queryFn: () => api<SurveyFigures>(`/survey-figures?by=${by}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
  });
  const names = useNames(by);
  return (
    <Section title="NPS by group">
      <div className="row"><label>Group by<select value={by} onChange={(e) => setBy(e.target.value as typeof by)}>{BY.map(([k, t]) => <option key={k} value={k}>{t}</option>)}</select></label></div>
      <table className="table">
        <thead><tr><th scope="col">Group</th><th scope="col">NPS</th><th scope="col">95 % interval</th><th scope="col">Answers</th><th scope="col">Effort (% agree)</th></tr></thead>
        <tbody>{(figures.data?.groups ?? []).map((g) => (
          <tr key={String(g.group)}><td>{g.group === null ? '—' : names(g.group)}</td><td>{one(g.nps)}</td><td>{one(g.low)} to {one(g.high)}</td><td>{g.answers}</td><td>{pct(g.ces.agreeShare)}</td></tr>
        ))}</tbody>
      </table>
    </Section>
  );
}

function useNames(by: string) {
  const staff = useQuery({ queryKey: ['staff', 'all'], queryFn: () => api<{ items: Staff[] }>('/staff'), enabled: by === 'agent' });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), enabled: by === 'team' });
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments'), enabled: by === 'department' });
  return (id: string | number) => {
    const list: { id: number; name: string }[] | undefined = by === 'agent' ? staff.data?.items : by === 'team' ? teams.data?.items : by === 'department' ? depts.data?.items : undefined;
    return list?.find((x) => x.id === id)?.name ?? String(id).replace(/_/g, ' ');
  };
}

/** Customer service is everyone's job: each department sees the recoveries its work caused. */
function CausedBy() {
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments') });
  const [dept, setDept] = useState('');
  const list = useQuery({ queryKey: ['recoveries', 'department', dept], queryFn: () => api<{ items: RecoveryItem[] }>(`/recoveries?department=${dept}`), enabled: !!dept });
  return (
    <Section title="Recoveries caused by a department">
      <div className="row"><label>Department<select value={dept} onChange={(e) => setDept(e.target.value)}>
        <option value="">— choose —</option>
        {depts.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
      </select></label></div>
      {dept ? (list.data?.items.length ? (
        <ul className="list">{list.data.items.map((r) => (
          <li key={r.id}><Link href={`/cases/${r.caseId}`}>{r.subject}</Link> <span className="meta">· {r.source.replace(/_/g, ' ')} · {r.status} · opened {new Date(r.openedAt).toLocaleDateString()}</span></li>
        ))}</ul>
      ) : <p className="empty">No recoveries caused by this department.</p>) : null}
    </Section>
  );
}
