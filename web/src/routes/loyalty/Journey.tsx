/** The moments-of-truth map: a journey diagram, each touchpoint's figures, and the people behind every figure. */
import { useState } from 'react';
import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, post } from '../../api';
import type { BehindFigure, Department, JourneyMap, UnmappedTouchpoint } from '../../../../src/api-types';
import { useMe } from '../../session';
import { Empty, ErrorNote, Section, useAction } from '../../components/ui';
import { one, pct, monthPeriod, MonthPicker } from './shared';

type Tp = JourneyMap['touchpoints'][number];
const colour = (nps: number | null) => (nps === null ? '#8c959f' : nps >= 30 ? '#1a7f37' : nps >= 0 ? '#9a6700' : '#cf222e');

/** Touchpoints as stations on a line, coloured by NPS; a moment of truth has a double ring, the weakest a label. */
function Diagram({ map }: { map: JourneyMap }) {
  const tps = map.touchpoints;
  const step = 150, w = Math.max(tps.length, 1) * step, h = 170, cy = 70;
  const weakest = map.weakest?.significant ? map.weakest.key : null;
  const summary = tps.map((t) => `${t.position}. ${t.name}${t.momentOfTruth ? ' (moment of truth)' : ''}: NPS ${t.nps.nps === null ? 'no answers' : t.nps.nps.toFixed(0)}`).join('; ');
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="journey" role="img" aria-label={`The customer journey: ${summary}${weakest ? `. Weakest moment: ${map.weakest!.name}` : ''}`}>
      <line x1={step / 2} x2={w - step / 2} y1={cy} y2={cy} stroke="#d0d7de" strokeWidth="6" strokeLinecap="round" />
      {tps.map((t, i) => {
        const x = step / 2 + i * step;
        return (
          <g key={t.key}>
            {t.momentOfTruth ? <circle cx={x} cy={cy} r="31" fill="none" stroke={colour(t.nps.nps)} strokeWidth="2" /> : null}
            <circle cx={x} cy={cy} r="25" fill={colour(t.nps.nps)} stroke={weakest === t.key ? '#000' : '#fff'} strokeWidth={weakest === t.key ? 4 : 2} />
            <text x={x} y={cy + 5} textAnchor="middle" fontSize="15" fontWeight="700" fill="#fff">{t.nps.nps === null ? '–' : t.nps.nps.toFixed(0)}</text>
            <text x={x} y={cy + 54} textAnchor="middle" fontSize="14" fill="#1f2328">{t.name}</text>
            <text x={x} y={cy + 72} textAnchor="middle" fontSize="11" fill="#57606a">{t.nps.answers} answers · {t.volume} cases</text>
            {weakest === t.key ? <text x={x} y={22} textAnchor="middle" fontSize="12" fontWeight="700" fill="#cf222e">Weakest moment</text> : null}
          </g>
        );
      })}
    </svg>
  );
}

const FIGURES: [string, string, (t: Tp) => number][] = [
  ['cases', 'Cases', (t) => t.volume], ['detractors', 'Detractors', (t) => t.nps.detractors], ['complaints', 'Complaints', (t) => t.complaints],
  ['repeats', 'Repeat contacts', (t) => t.repeatContacts], ['recoveries', 'Recoveries', (t) => t.recoveries.opened],
];

export function Journey() {
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const { from, to } = monthPeriod(month);
  const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const map = useQuery({ queryKey: ['journey', month], queryFn: () => api<JourneyMap>(`/journey/map?${q}`) });
  const [behind, setBehind] = useState<{ figure: string; touchpoint?: string; label: string } | null>(null);
  const people = useQuery({
    queryKey: ['behind', month, behind], enabled: !!behind,
    queryFn: () => api<BehindFigure>(`/journey/behind?${q}&figure=${behind!.figure}${behind!.touchpoint ? `&touchpoint=${encodeURIComponent(behind!.touchpoint)}` : ''}`),
  });
  const me = useMe().data!;
  const m = map.data;
  return (
    <>
      <MonthPicker month={month} setMonth={setMonth} />
      <ErrorNote error={map.error} />
      {m ? (
        <>
          <Section title="The customer journey">
            {m.touchpoints.length ? <div className="journey-wrap" tabIndex={0} role="group" aria-label="Journey diagram, scrolls sideways on a narrow screen"><Diagram map={m} /></div> : <Empty>No touchpoints yet{me.role === 'admin' ? ': add the first one below.' : '.'}</Empty>}
            <p className="meta">Circle colour: NPS (green 30 and above, amber 0–29, red below 0). A double ring marks a moment of truth.</p>
          </Section>
          <div className="grid">
            <Section title="Weakest moment">
              {m.weakest ? <>
                <p className="headline">{m.weakest.significant ? m.weakest.name : 'None singled out'}</p>
                <p>{m.weakest.name}: {one(m.weakest.difference)} NPS points against the other touchpoints (95 % interval {one(m.weakest.low)} to {one(m.weakest.high)}).</p>
                <p className="meta">{m.weakest.significant ? 'The whole interval is below zero: significantly worse than the rest.' : 'The interval includes zero: it may be chance.'}</p>
              </> : <Empty>Needs answers at two touchpoints or more.</Empty>}
            </Section>
            <Section title="Consistency">
              <p className="headline">{pct(m.consistency.mixedShare)}</p>
              <p>of {m.consistency.customersWithSeveralAnswers} customers with several answers had a promoter and a detractor experience within 30 days.</p>
              <p className="meta">Spread of touchpoint NPS: {one(m.consistency.npsSpread)} (range {one(m.consistency.npsRange)}).</p>
              <button type="button" className="link" onClick={() => setBehind({ figure: 'mixed_experience', label: 'Customers with mixed experiences' })}>Who are they?</button>
            </Section>
          </div>
          <Section title="Touchpoints">
            <table className="table">
              <thead><tr><th scope="col">Touchpoint</th><th scope="col">NPS (95 %)</th><th scope="col">Experience score</th><th scope="col">Effort</th>
                {FIGURES.map(([, label]) => <th scope="col" key={label}>{label}</th>)}<th scope="col">Promises kept</th></tr></thead>
              <tbody>{m.touchpoints.map((t) => (
                <tr key={t.key}>
                  <td data-label="Touchpoint"><strong>{t.name}</strong>{t.momentOfTruth ? <span className="meta"> · moment of truth</span> : null}</td>
                  <td data-label="NPS">{one(t.nps.nps)} <span className="meta">({one(t.nps.low)} to {one(t.nps.high)}, {t.nps.answers})</span></td>
                  <td data-label="Experience score">{one(t.experienceScore)}</td>
                  <td data-label="Effort">{one(t.effort.mean)}</td>
                  {FIGURES.map(([figure, label, value]) => (
                    <td data-label={label} key={figure}><button type="button" className="link" aria-label={`${label} at ${t.name}: ${value(t)}, show who`} onClick={() => setBehind({ figure, touchpoint: t.key, label: `${label} at ${t.name}` })}>{value(t)}</button></td>
                  ))}
                  <td data-label="Promises kept">{pct(t.promises.keptRate)}</td>
                </tr>
              ))}</tbody>
            </table>
            <p className="meta">Experience score = 100 × (promoters − {m.badExperienceWeight} × detractors) / (promoters + passives + {m.badExperienceWeight} × detractors): a bad experience weighs {m.badExperienceWeight} times a good one.</p>
          </Section>
          {behind ? (
            <Section title={behind.label}>
              <ErrorNote error={people.error} />
              {people.data?.items.length ? <ul className="list">{people.data.items.map((p, i) => (
                <li key={i}><Link href={`/customers/${p.customerId}`}>{p.customerName}</Link>{p.caseId ? <> · <Link href={`/cases/${p.caseId}`}>case {p.caseId}</Link></> : null}
                  <span className="meta"> · {new Date(p.at).toLocaleDateString()}{p.score !== null ? ` · scored ${p.score}` : ''}</span></li>
              ))}</ul> : people.isPending ? <p>Loading…</p> : <Empty>Nobody behind this figure.</Empty>}
            </Section>
          ) : null}
          {me.role === 'admin' ? <JourneySettings touchpoints={m.touchpoints} /> : null}
        </>
      ) : null}
    </>
  );
}

function JourneySettings({ touchpoints }: { touchpoints: Tp[] }) {
  const qc = useQueryClient();
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments') });
  const unmapped = useQuery({ queryKey: ['touchpoints', 'unmapped'], queryFn: () => api<{ items: UnmappedTouchpoint[] }>('/touchpoints/unmapped') });
  const [name, setName] = useState('');
  const [afterId, setAfterId] = useState('');
  const [departmentId, setDepartmentId] = useState('');
  const [mot, setMot] = useState(false);
  const add = useAction(async () => {
    await post('/touchpoints', { name, afterId: afterId ? Number(afterId) : null, departmentId: departmentId ? Number(departmentId) : null, momentOfTruth: mot });
    setName('');
    await qc.invalidateQueries({ queryKey: ['journey'] });
    await qc.invalidateQueries({ queryKey: ['touchpoints'] });
  });
  const map = useAction(async (id: number, value: string) => {
    await post(`/touchpoints/${id}/map`, { value });
    await qc.invalidateQueries({ queryKey: ['touchpoints'] });
    await qc.invalidateQueries({ queryKey: ['journey'] });
  });
  return (
    <Section title="Set up the journey">
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label>Touchpoint<input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required /></label>
        <label>Follows<select value={afterId} onChange={(e) => setAfterId(e.target.value)}><option value="">— the start —</option>{touchpoints.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
        <label>Owned by<select value={departmentId} onChange={(e) => setDepartmentId(e.target.value)}><option value="">— no department —</option>{depts.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</select></label>
        <label className="check"><input type="checkbox" checked={mot} onChange={(e) => setMot(e.target.checked)} /> Moment of truth</label>
        <button type="submit" disabled={add.busy}>Add touchpoint</button>
      </form>
      <ErrorNote error={add.error} />
      <h3>Values to map</h3>
      <ErrorNote error={map.error} />
      {unmapped.data?.items.length ? <ul className="list">{unmapped.data.items.map((u) => (
        <li key={u.value}>“{u.value}” <span className="meta">({u.total} uses)</span>
          <MapTo touchpoints={touchpoints} onMap={(id) => void map.run(id, u.value)} label={u.value} /></li>
      ))}</ul> : <Empty>Every touchpoint in use is on the journey.</Empty>}
    </Section>
  );
}

function MapTo({ touchpoints, onMap, label }: { touchpoints: Tp[]; onMap: (id: number) => void; label: string }) {
  const [id, setId] = useState('');
  return (
    <span className="row">
      <label>Map “{label}” to<select value={id} onChange={(e) => setId(e.target.value)}><option value="">— choose —</option>{touchpoints.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
      <button type="button" disabled={!id} onClick={() => onMap(Number(id))}>Map</button>
    </span>
  );
}
