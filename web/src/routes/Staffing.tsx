import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ErlangCFigures, StaffingPlan } from '../../../src/api-types';
import { api } from '../api';
import { ErrorNote, Section } from '../components/ui';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The Erlang C calculator and the staffing plan per hour of the week. */
export function Staffing() {
  const [form, setForm] = useState({ arrivalsPerHour: '120', ahtSeconds: '300', targetSeconds: '20', targetLevel: '80', shrinkage: '30' });
  const [asked, setAsked] = useState(form);
  const query = new URLSearchParams({
    arrivalsPerHour: asked.arrivalsPerHour, ahtSeconds: asked.ahtSeconds, targetSeconds: asked.targetSeconds,
    targetLevel: String(Number(asked.targetLevel) / 100), shrinkage: String(Number(asked.shrinkage) / 100),
  });
  const erlang = useQuery({ queryKey: ['erlang-c', query.toString()], queryFn: () => api<ErlangCFigures>(`/staffing/erlang-c?${query}`) });
  const planQuery = new URLSearchParams({ weeks: '4', targetSeconds: asked.targetSeconds, targetLevel: query.get('targetLevel')!, shrinkage: query.get('shrinkage')! });
  const plan = useQuery({ queryKey: ['staffing-plan', planQuery.toString()], queryFn: () => api<StaffingPlan>(`/staffing/plan?${planQuery}`) });
  const field = (name: keyof typeof form, label: string) => (
    <label>{label}<input type="number" min={0} step="any" required value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} /></label>
  );
  const f = erlang.data;
  const p = plan.data;
  const cell = (dow: number, hour: number) => p?.hours.find((h) => h.dayOfWeek === dow && h.hour === hour);
  // "Now" in the organisation's zone, the zone the plan's hours are in.
  const parts = p ? new Intl.DateTimeFormat('en-GB', { timeZone: p.timeZone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(new Date()) : [];
  const nowDay = DAYS.indexOf(parts.find((x) => x.type === 'weekday')?.value ?? '');
  const nowHour = Number(parts.find((x) => x.type === 'hour')?.value ?? -1);
  return (
    <>
      <h1>Staffing</h1>
      <Section title="Erlang C calculator">
        <form className="row wrap" onSubmit={(e) => { e.preventDefault(); setAsked(form); }}>
          {field('arrivalsPerHour', 'Contacts per hour')}
          {field('ahtSeconds', 'Average handle time (s)')}
          {field('targetSeconds', 'Answer within (s)')}
          {field('targetLevel', 'Share answered in time (%)')}
          {field('shrinkage', 'Shrinkage (%)')}
          <button type="submit">Calculate</button>
        </form>
        <ErrorNote error={erlang.error} />
        {f ? (
          <dl className="facts" aria-live="polite">
            <dt>Agents needed</dt><dd><strong>{f.agents}</strong> answering ({f.scheduledAgents} to schedule with shrinkage)</dd>
            <dt>Traffic</dt><dd>{f.trafficErlangs.toFixed(2)} erlangs</dd>
            <dt>Probability of waiting</dt><dd>{pct(f.probabilityOfWaiting)}</dd>
            <dt>Service level</dt><dd>{pct(f.serviceLevel)} within {asked.targetSeconds} s</dd>
            <dt>Average speed of answer</dt><dd>{f.averageSpeedOfAnswerSeconds.toFixed(1)} s</dd>
            <dt>Occupancy</dt><dd>{pct(f.occupancy)}</dd>
          </dl>
        ) : null}
      </Section>
      <Section title="Staffing plan per hour of the week">
        <ErrorNote error={plan.error} />
        {p ? (
          <>
            <p className="meta">
              From the chats and inbound phone calls of the last {p.weeks} weeks (handle time: chat {p.chatAhtSeconds} s, phone {p.phoneAhtSeconds} s),
              for {Math.round(p.targetLevel * 100)} % within {p.targetSeconds} s and {Math.round(p.shrinkage * 100)} % shrinkage; agents to schedule per hour.
              Online now: <strong>{p.agentsOnlineNow}</strong>.
            </p>
            <div className="scroll" tabIndex={0} role="region" aria-label="Staffing plan table">
              <table className="table plan">
                <caption className="sr">Agents to schedule, by hour (rows) and day (columns), times in {p.timeZone}</caption>
                <thead><tr><th scope="col">Hour</th>{DAYS.map((d) => <th scope="col" key={d}>{d}</th>)}</tr></thead>
                <tbody>
                  {Array.from({ length: 24 }, (_, hour) => (
                    <tr key={hour}>
                      <th scope="row">{String(hour).padStart(2, '0')}:00</th>
                      {DAYS.map((_d, i) => {
                        const c = cell(i + 1, hour);
                        const isNow = nowDay === i && nowHour === hour;
                        const arrivals = c ? c.chatArrivals + c.phoneArrivals : 0;
                        return (
                          <td key={i} className={isNow ? 'now' : c?.scheduledAgents ? 'busy' : ''} title={`${arrivals.toFixed(1)} contacts an hour`}>
                            {c?.scheduledAgents ?? 0}{isNow ? <span className="online">now: {p.agentsOnlineNow} online</span> : null}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </Section>
    </>
  );
}
