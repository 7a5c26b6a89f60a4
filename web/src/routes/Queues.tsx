/**
 * Queues: the standard views with their counts (mine, team, unowned, at risk, waiting on the
 * customer, open, all), filters (team, tag, priority, channel, touchpoint, words; also read from
 * the address, e.g. /queues?tag=recall), saved views kept on the server with their counts,
 * sortable columns, and bulk actions (take, offer, tag, status) checked case by case by the server.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { CaseListItem, CaseListPage, Team, ViewCounts, ViewFilters } from '../../../src/api-types';
import { api } from '../api';
import { label, timeLeft } from '../format';
import { BulkBar } from '../components/BulkBar';
import { SaveView, SavedViewTabs, useSavedViews } from '../components/SavedViews';
import { Empty, ErrorNote } from '../components/ui';
import { useMe } from '../session';

type View = 'mine' | 'team' | 'unowned' | 'at-risk' | 'waiting' | 'open' | 'all';
const VIEWS: { view: View; text: string; count: keyof ViewCounts | null }[] = [
  { view: 'mine', text: 'Mine', count: 'mine' },
  { view: 'team', text: 'My team', count: 'team' },
  { view: 'unowned', text: 'Unowned', count: 'unowned' },
  { view: 'at-risk', text: 'At risk (due within 2 h)', count: 'atRisk' },
  { view: 'waiting', text: 'Waiting on customer', count: 'waitingOnCustomer' },
  { view: 'open', text: 'Open cases', count: 'open' },
  { view: 'all', text: 'All cases', count: null },
];
const OPEN = 'new,open,waiting_on_us,waiting_on_customer';

type Filters = ViewFilters;
const NONE: Filters = { view: 'open', team: '', tag: '', priority: '', channel: '', touchpoint: '', search: '' };

/** Filters given in the address (/queues?tag=recall&view=all): a link to a list is a list. */
function fromAddress(): Filters {
  const p = new URLSearchParams(window.location.search);
  const view = p.get('view');
  return {
    view: VIEWS.some((v) => v.view === view) ? view as View : NONE.view,
    team: /^\d+$/.test(p.get('team') ?? '') ? p.get('team')! : '',
    tag: p.get('tag')?.trim().slice(0, 50) ?? '',
    priority: p.get('priority') ?? '',
    channel: p.get('channel') ?? '',
    touchpoint: p.get('touchpoint')?.trim().slice(0, 100) ?? '',
    search: p.get('q')?.trim().slice(0, 200) ?? '',
  };
}

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
  const me = useMe().data;
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });
  const [f, setF] = useState<Filters>(fromAddress);
  const [q, setQ] = useState(f.search);
  const [savedId, setSavedId] = useState<number | null>(null);
  const views = useSavedViews();
  const minute = useMinuteClock();
  const atRiskBefore = new Date(minute + 2 * 3_600_000 + 60_000).toISOString();
  const counts = useQuery({ queryKey: ['cases', 'counts', atRiskBefore], queryFn: () => api<ViewCounts>(`/case-counts?atRiskBefore=${encodeURIComponent(atRiskBefore)}`) });

  const params = new URLSearchParams({ limit: '50' });
  if (f.team) params.set('team', f.team);
  if (f.search) params.set('q', f.search);
  if (f.tag) params.set('tag', f.tag);
  if (f.priority) params.set('priority', f.priority);
  if (f.channel) params.set('channel', f.channel);
  if (f.touchpoint) params.set('touchpoint', f.touchpoint);
  if (f.view === 'mine') params.set('owner', 'me');
  if (f.view === 'team' && !f.team && me?.teamId) params.set('team', String(me.teamId));
  if (f.view === 'unowned') params.set('unowned', 'true');
  if (f.view === 'waiting') params.set('status', 'waiting_on_customer');
  else if (f.view !== 'all' && f.view !== 'at-risk') params.set('status', OPEN);
  if (f.view === 'at-risk') params.set('dueBefore', atRiskBefore);
  const list = useInfiniteQuery({
    queryKey: ['cases', 'queue', params.toString()],
    queryFn: ({ pageParam }) => api<CaseListPage>(`/cases?${params}${pageParam ? `&cursor=${pageParam}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (patch: Partial<Filters>) => { setSavedId(null); setF((old) => ({ ...old, ...patch })); };

  return (
    <>
      <h1>Queues</h1>
      <nav aria-label="Views" className="views">
        {VIEWS.map((v) => (
          <button key={v.view} type="button" className={f.view === v.view && savedId === null ? 'tab active' : 'tab'} aria-pressed={f.view === v.view && savedId === null} onClick={() => set({ view: v.view })}>
            {v.text}{v.count && counts.data ? <span className="count"> {counts.data[v.count]}</span> : null}
          </button>
        ))}
        <SavedViewTabs views={views.data?.items ?? []} current={savedId} open={(v) => { setF({ ...NONE, ...v.filters }); setQ(v.filters.search); setSavedId(v.id); }} />
      </nav>
      <form className="row filters" onSubmit={(e) => { e.preventDefault(); set({ search: q.trim() }); }} role="search">
        <label>Team
          <select value={f.team} onChange={(e) => set({ team: e.target.value })}>
            <option value="">All teams</option>
            {teams.data?.items.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </label>
        <label>Show
          <select value={f.view} onChange={(e) => set({ view: e.target.value as View })}>
            {VIEWS.map((v) => <option key={v.view} value={v.view}>{v.text}</option>)}
          </select>
        </label>
        <label>Priority
          <select value={f.priority} onChange={(e) => set({ priority: e.target.value })}>
            <option value="">Any</option>{['urgent', 'high', 'normal', 'low'].map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <label>Channel
          <select value={f.channel} onChange={(e) => set({ channel: e.target.value })}>
            <option value="">Any</option>{['email', 'phone', 'chat', 'web', 'in_person', 'other'].map((p) => <option key={p} value={p}>{label(p)}</option>)}
          </select>
        </label>
        <label>Tag<input value={f.tag} onChange={(e) => set({ tag: e.target.value.trim() })} size={10} maxLength={50} /></label>
        <label>Touchpoint<input value={f.touchpoint} onChange={(e) => set({ touchpoint: e.target.value.trim() })} size={10} maxLength={100} /></label>
        <label className="grow">Search subject, customer or message text<input type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={200} /></label>
        <button type="submit">Search</button>
      </form>
      <SaveView filters={f} views={views.data?.items ?? []} />
      <ErrorNote error={list.error} />
      {list.isPending ? <p className="loading">Loading cases…</p> : <QueueTable items={items} />}
      {list.hasNextPage ? <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>Load more</button> : null}
    </>
  );
}

type SortKey = 'id' | 'subject' | 'customerName' | 'ownerName' | 'priority' | 'status' | 'due';
const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

function QueueTable({ items }: { items: CaseListItem[] }) {
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'id', asc: false });
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const clear = useCallback(() => setPicked(new Set()), []);
  const sorted = useMemo(() => {
    const value = (c: CaseListItem): string | number => sort.key === 'due' ? (c.resolutionDueAt ? Date.parse(c.resolutionDueAt) : Number.MAX_SAFE_INTEGER)
      : sort.key === 'priority' ? PRIORITY_RANK[c.priority] ?? 9 : sort.key === 'id' ? c.id : String(c[sort.key] ?? '').toLowerCase();
    return [...items].sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0) * (sort.asc ? 1 : -1));
  }, [items, sort]);
  if (!items.length) return <Empty>No cases match.</Empty>;
  const th = (key: SortKey, text: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => setSort({ key, asc: sort.key === key ? !sort.asc : true })}>{text}{sort.key === key ? (sort.asc ? ' ▲' : ' ▼') : ''}</button>
    </th>
  );
  const toggle = (id: number) => setPicked((p) => { const n = new Set(p); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const all = picked.size === items.length;
  return (
    <>
      {picked.size ? <BulkBar cases={items.filter((c) => picked.has(c.id))} clear={clear} /> : null}
      {/* Outside the table: on a phone the table's header row is hidden and rows read as cards. */}
      <label className="check select-all"><input type="checkbox" checked={all} onChange={() => setPicked(all ? new Set() : new Set(items.map((c) => c.id)))} /> Select all {items.length} listed cases</label>
      <table className="table">
        <thead><tr>
          <th scope="col"><span className="sr">Selected</span></th>
          {th('id', 'Case')}{th('customerName', 'Customer')}{th('ownerName', 'Owner')}{th('priority', 'Priority')}{th('status', 'Status')}{th('due', 'Resolution due')}
        </tr></thead>
        <tbody>{sorted.map((c) => {
          const left = timeLeft(c.resolutionDueAt);
          const open = c.status !== 'resolved' && c.status !== 'closed';
          return (
            <tr key={c.id}>
              <td><input type="checkbox" aria-label={`Select case #${c.id}`} title={`Select #${c.id} (Space)`} checked={picked.has(c.id)} onChange={() => toggle(c.id)} /></td>
              <td data-label="Case"><Link href={`/cases/${c.id}`}>#{c.id} {c.subject}</Link>{c.runAround ? <span className="pill broken"> run-around</span> : null}</td>
              <td data-label="Customer">{c.customerName}</td>
              <td data-label="Owner">{c.ownerName ?? <em>unowned</em>}</td>
              <td data-label="Priority"><span className={`pill ${c.priority}`}>{c.priority}</span></td>
              <td data-label="Status">{label(c.status)}</td>
              <td data-label="Resolution due" className={open && left.late ? 'late' : ''}>{open ? (c.clockPausedAt ? 'paused' : left.text) : '—'}</td>
            </tr>
          );
        })}</tbody>
      </table>
    </>
  );
}
