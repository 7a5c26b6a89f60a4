import { useEffect, useState } from 'react';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { CaseListPage, Team } from '../../../src/api-types';
import { api } from '../api';
import { CaseTable } from '../components/CaseTable';
import { ErrorNote } from '../components/ui';

type View = 'unowned' | 'at-risk' | 'open' | 'all';

/**
 * "Now + 2 h" for the at-risk view, moved on once a minute: computed on every render it made a
 * new query key each time, so the list never showed its answer and refetched in a loop.
 */
function useMinuteClock(): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 60_000) * 60_000);
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 60_000) * 60_000), 60_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function Queues() {
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });
  const [team, setTeam] = useState('');
  const [view, setView] = useState<View>('open');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const minute = useMinuteClock();
  const params = new URLSearchParams({ limit: '50' });
  if (team) params.set('team', team);
  if (search) params.set('q', search);
  if (view === 'unowned') params.set('unowned', 'true');
  if (view === 'open' || view === 'unowned') params.set('status', 'new,open,waiting_on_us,waiting_on_customer');
  if (view === 'at-risk') params.set('dueBefore', new Date(minute + 2 * 3_600_000 + 60_000).toISOString());
  const list = useInfiniteQuery({
    queryKey: ['cases', 'queue', params.toString()],
    queryFn: ({ pageParam }) => api<CaseListPage>(`/cases?${params}${pageParam ? `&cursor=${pageParam}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <h1>Queues</h1>
      <form className="row filters" onSubmit={(e) => { e.preventDefault(); setSearch(q.trim()); }} role="search">
        <label>Team
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </label>
        <label>Show
          <select value={view} onChange={(e) => setView(e.target.value as View)}>
            <option value="open">Open cases</option>
            <option value="unowned">Unowned</option>
            <option value="at-risk">At risk (due within 2 h)</option>
            <option value="all">All cases</option>
          </select>
        </label>
        <label className="grow">Search subject, customer or message text<input type="search" value={q} onChange={(e) => setQ(e.target.value)} /></label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={list.error} />
      {list.isPending ? <p className="loading">Loading cases…</p> : <CaseTable items={items} />}
      {list.hasNextPage ? <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>Load more</button> : null}
    </>
  );
}
