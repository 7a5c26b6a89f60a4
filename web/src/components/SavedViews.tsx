/**
 * Saved views, kept on the server (GET /api/v1/views): mine and my team's, each with the number of
 * cases it matches now. Views saved in this browser by an earlier version move to the server once.
 * A lead (or manager) may share a view with their team; the server decides who may change which.
 */
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { SavedView, ViewFilters } from '../../../src/api-types';
import { api, ApiError, patch, post } from '../api';
import { useMe } from '../session';
import { ErrorNote, useAction } from './ui';

const OLD_BROWSER_VIEWS = 'kept.savedViews';

export function useSavedViews() {
  const qc = useQueryClient();
  const views = useQuery({ queryKey: ['views'], queryFn: () => api<{ items: SavedView[] }>('/views'), staleTime: 60_000 });
  // Signed in (the session's CSRF token known) before anything is written: a write sent while the
  // screen is still loading was refused, and the views were lost.
  const me = useMe().data;
  // Once: views an earlier version kept in this browser go to the server, then leave the browser.
  useEffect(() => {
    if (!me) return;
    const old = localStorage.getItem(OLD_BROWSER_VIEWS);
    if (!old) return;
    localStorage.removeItem(OLD_BROWSER_VIEWS); // claimed by this screen: a second one mounting now finds nothing to move
    void (async () => {
      const notMoved: { name: string; filters: ViewFilters }[] = [];
      for (const v of JSON.parse(old) as { name: string; filters: ViewFilters }[]) {
        // A name already taken (409) or a view the server refuses (400) stays as it is; anything
        // else (offline, a restart) is tried again on the next visit rather than lost.
        await post('/views', { name: v.name.slice(0, 60), filters: v.filters })
          .catch((e: unknown) => { if (!(e instanceof ApiError && (e.status === 409 || e.status === 400 || e.status === 422))) notMoved.push(v); });
      }
      if (notMoved.length) localStorage.setItem(OLD_BROWSER_VIEWS, JSON.stringify(notMoved));
      await qc.invalidateQueries({ queryKey: ['views'] });
    })();
  }, [qc, me]);
  return views;
}

export function SavedViewTabs({ views, current, open }: { views: SavedView[]; current: number | null; open: (v: SavedView) => void }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const remove = useAction(async (v: SavedView) => {
    await api(`/views/${v.id}`, { method: 'DELETE' });
    await qc.invalidateQueries({ queryKey: ['views'] });
  });
  return (
    <>
      {views.map((v) => (
        <span key={v.id} className="saved-view">
          <button type="button" className={current === v.id ? 'tab active' : 'tab'} aria-pressed={current === v.id} onClick={() => open(v)}>
            {v.name}{v.teamId ? ' (team)' : ''}<span className="count"> {v.count.toLocaleString('en')}{v.more ? '+' : ''}</span>
          </button>
          {/* A team's view is its lead's to remove (the server says so to anyone else). */}
          {!v.teamId || me?.role !== 'agent' ? <button type="button" className="link" onClick={() => void remove.run(v)}>Remove<span className="sr"> the view {v.name}</span></button> : null}
        </span>
      ))}
      <ErrorNote error={remove.error} />
    </>
  );
}

/** Save the filters on screen under a name; the same name as one of mine updates it. */
export function SaveView({ filters, views }: { filters: ViewFilters; views: SavedView[] }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [forTeam, setForTeam] = useState(false);
  const save = useAction(async () => {
    const teamId = forTeam && me?.teamId ? me.teamId : null;
    const same = views.find((v) => v.name.toLowerCase() === name.trim().toLowerCase() && (teamId ? v.teamId === teamId : v.ownerId === me?.id));
    if (same) await patch(`/views/${same.id}`, { filters });
    else await post('/views', { name: name.trim(), filters, ...(teamId ? { teamId } : {}) });
    setName('');
    await qc.invalidateQueries({ queryKey: ['views'] });
  });
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); if (name.trim()) void save.run(); }}>
      <label>Save these filters as a view<input value={name} onChange={(e) => setName(e.target.value)} maxLength={60} required /></label>
      {me?.teamId && me.role !== 'agent' ? <label className="check"><input type="checkbox" checked={forTeam} onChange={(e) => setForTeam(e.target.checked)} /> share with my team</label> : null}
      <button type="submit" className="secondary" disabled={save.busy}>Save view</button>
      <ErrorNote error={save.error} />
    </form>
  );
}
