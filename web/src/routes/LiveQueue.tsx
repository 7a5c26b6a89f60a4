import { useQuery } from '@tanstack/react-query';
import type { LiveQueue as Figures } from '../../../src/api-types';
import { api } from '../api';
import { Empty, ErrorNote, Section } from '../components/ui';

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);
const secs = (s: number | null) => (s === null ? '—' : s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

/** For team leads: the chat queue now and today, live (refetched on every chat event and every 10 s). */
export function LiveQueue() {
  const q = useQuery({ queryKey: ['chat', 'live-queue'], queryFn: () => api<Figures>('/chat/live-queue'), refetchInterval: 10_000 });
  const f = q.data;
  return (
    <>
      <h1>Live chat queue</h1>
      <ErrorNote error={q.error} />
      {f ? (
        <>
          <div className="grid">
            <section className="card"><h2>Waiting now</h2><p className="headline">{f.waitingNow}</p></section>
            <section className="card"><h2>Longest wait</h2><p className="headline">{secs(f.longestWaitSeconds)}</p></section>
            <section className="card"><h2>Service level today</h2><p className="headline">{pct(f.today.serviceLevel)}</p>
              <p className="meta">{f.today.withinStandard} of {f.today.answered} answered within {secs(f.today.standardSeconds)} (the chat standard)</p></section>
            <section className="card"><h2>Abandoned today</h2><p className="headline">{f.today.abandoned}</p>
              <p className="meta">{f.today.takenAsCases} taken as cases when nobody could answer</p></section>
            <section className="card"><h2>Wait estimates</h2><p className="headline">{pct(f.today.estimateAccuracy)}</p>
              <p className="meta">close to the real wait (within a minute or half the estimate), of {f.today.estimatesMeasured} measured; mean error {secs(f.today.meanAbsoluteErrorSeconds)}, {f.today.meanErrorSeconds === null ? '' : f.today.meanErrorSeconds > 0 ? 'visitors waited longer than told' : 'visitors waited less than told'}</p></section>
          </div>
          <Section title="Agents online" count={f.agents.length}>
            {f.agents.length ? (
              <table className="table">
                <thead><tr><th scope="col">Agent</th><th scope="col">Presence</th><th scope="col">Load</th></tr></thead>
                <tbody>{f.agents.map((a) => (
                  <tr key={a.staffId}><td data-label="Agent">{a.name}</td><td data-label="Presence">{a.status}</td><td data-label="Load">{a.active} of {a.capacity} chats</td></tr>
                ))}</tbody>
              </table>
            ) : <Empty>Nobody is online: visitors are told when a person will be there, and their chats become cases.</Empty>}
          </Section>
          <Section title="Waiting" count={f.waiting.length}>
            {f.waiting.length ? (
              <ul className="list">{f.waiting.map((w) => (
                <li key={w.id}>Chat {w.id} · {w.teamName ?? 'any team'} · waiting {secs(w.waitedSeconds)} (told {secs(w.estimatedWaitSeconds)}){w.leftAt ? ' · stepped away' : ''}</li>
              ))}</ul>
            ) : <Empty>Nobody is waiting.</Empty>}
          </Section>
        </>
      ) : <p className="loading">Loading…</p>}
    </>
  );
}
