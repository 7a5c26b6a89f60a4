/**
 * The team lead's dashboard: the backlog and its age, standards met and promises kept (30 days),
 * cases opened by hour of day (7 days), each person's load, hand-overs waiting. Refreshed by the
 * live stream when cases change, never by a timer.
 */
import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useQuery } from '@tanstack/react-query';
import type { Dashboard as Data, Team } from '../../../src/api-types';
import { api } from '../api';
import { timeLeft, when } from '../format';
import { BarChart } from '../components/Chart';
import { Empty, ErrorNote, Section } from '../components/ui';
import { useMe } from '../session';

const pct = (r: { rate: number | null; kept: number; total: number }) => (r.rate === null ? '—' : `${Math.round(r.rate * 100)} %`);
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

export function Dashboard() {
  const me = useMe().data;
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });
  const [team, setTeam] = useState(() => (me?.teamId ? String(me.teamId) : ''));
  const d = useQuery({ queryKey: ['cases', 'dashboard', team], queryFn: () => api<Data>(`/dashboard${team ? `?team=${team}` : ''}`) });
  const ages = useMemo(() => d.data?.backlog.byAge.map((a) => a.age) ?? [], [d.data]);
  const ageValues = useMemo(() => d.data?.backlog.byAge.map((a) => a.cases) ?? [], [d.data]);
  const hourValues = useMemo(() => d.data?.openedByHour ?? [], [d.data]);
  return (
    <>
      <h1>Dashboard</h1>
      <div className="row filters">
        <label>Team
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">Everyone</option>
            {teams.data?.items.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </label>
      </div>
      <ErrorNote error={d.error} />
      {!d.data ? <p className="loading">Loading figures…</p> : (
        <>
          <div className="grid figures">
            <Section title="Backlog"><p className="headline">{d.data.backlog.open}</p><p className="meta">open · {d.data.backlog.unowned} unowned · oldest opened {when(d.data.backlog.oldestOpenedAt)}</p></Section>
            <Section title="Standards met (30 days)"><p className="headline">{pct(d.data.standardsMet)}</p><p className="meta">{d.data.standardsMet.kept} of {d.data.standardsMet.total}</p></Section>
            <Section title="Promises kept (30 days)"><p className="headline">{pct(d.data.promisesKept)}</p><p className="meta">{d.data.promisesKept.kept} of {d.data.promisesKept.total}</p></Section>
            <Section title="Hand-overs waiting"><p className="headline">{d.data.handoversWaiting.length}</p><p className="meta">offers not yet answered</p></Section>
          </div>
          <div className="grid">
            <Section title="Backlog by age"><BarChart title="Open cases by age" labels={ages} values={ageValues} /></Section>
            <Section title={`Cases opened by hour (7 days, ${d.data.timeZone})`}><BarChart title="Cases opened by hour of day" labels={HOURS} values={hourValues} color="#17663a" /></Section>
          </div>
          <Section title="Each person's load">
            {d.data.load.length ? (
              <table className="table">
                <thead><tr><th scope="col">Person</th><th scope="col">Available</th><th scope="col">Open cases</th><th scope="col">Late</th></tr></thead>
                <tbody>{d.data.load.map((p) => (
                  <tr key={p.id}><td data-label="Person">{p.name}</td><td data-label="Available">{p.available ? 'yes' : 'away'}</td><td data-label="Open cases">{p.openCases}</td><td data-label="Late" className={p.lateCases ? 'late' : ''}>{p.lateCases}</td></tr>
                ))}</tbody>
              </table>
            ) : <Empty>Nobody in this team.</Empty>}
          </Section>
          <Section title="Hand-overs waiting for an answer" count={d.data.handoversWaiting.length}>
            {d.data.handoversWaiting.length ? <ul className="list">{d.data.handoversWaiting.map((h) => (
              <li key={h.id}><Link href={`/cases/${h.caseId}`}>#{h.caseId} {h.subject}</Link><div className="meta">to {h.toName ?? `the ${h.teamName ?? ''} team`} · offered {when(h.offeredAt)} · expires {timeLeft(h.expiresAt).text}</div></li>
            ))}</ul> : <Empty>None waiting.</Empty>}
          </Section>
        </>
      )}
    </>
  );
}
