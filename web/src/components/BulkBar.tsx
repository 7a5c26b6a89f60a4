/**
 * The bar that appears over a list once cases are picked: take, offer to a colleague or team (an
 * offer each receiver accepts; nobody is assigned a case), add a tag, set the status. One request
 * (POST /cases/bulk); the server allows or refuses each case by the same rule as one at a time, and
 * the bar lists what happened to each. Escape clears the selection; the results are announced.
 */
import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { BulkOutcome, CaseListItem, Staff, Team } from '../../../src/api-types';
import { api, post } from '../api';
import { label } from '../format';
import { ColleaguePicker } from './ColleaguePicker';
import { ErrorNote, useAction } from './ui';

type Bulk = 'take' | 'offer' | 'tag' | 'status';
const DONE: Record<Bulk, string> = { take: 'taken', offer: 'offered (waiting for the receiver to accept)', tag: 'tagged', status: 'status set' };

export function BulkBar({ cases, clear }: { cases: CaseListItem[]; clear: () => void }) {
  const qc = useQueryClient();
  const staff = useQuery({ queryKey: ['staff'], queryFn: () => api<{ items: Staff[] }>('/staff?active=true'), staleTime: 300_000 });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });
  const [action, setAction] = useState<Bulk>('take');
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [tag, setTag] = useState('');
  const [status, setStatus] = useState('open');
  const [outcome, setOutcome] = useState<{ action: Bulk; result: BulkOutcome } | null>(null);
  const ref = useRef<HTMLElement>(null);
  const subjects = new Map(cases.map((c) => [c.id, c.subject]));

  const apply = useAction(async () => {
    const [k, id] = to.split(':');
    const body = { caseIds: cases.map((c) => c.id), action,
      ...(action === 'offer' ? { [k === 'team' ? 'toTeamId' : 'toStaffId']: Number(id), note } : {}),
      ...(action === 'tag' ? { tag } : {}), ...(action === 'status' ? { status } : {}) };
    const result = await post<BulkOutcome>('/cases/bulk', body);
    setOutcome({ action, result });
    await qc.invalidateQueries({ queryKey: ['cases'] });
    await qc.invalidateQueries({ queryKey: ['views'] });
    if (!result.refused) clear();
  });

  useEffect(() => {
    const el = ref.current;
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') clear(); };
    el?.addEventListener('keydown', onKey);
    return () => el?.removeEventListener('keydown', onKey);
  }, [clear]);

  return (
    <section ref={ref} className="card bulk" aria-label="Bulk actions">
      <form className="row" onSubmit={(e) => { e.preventDefault(); void apply.run(); }}>
        <strong>{cases.length} selected</strong>
        <label>Action
          <select value={action} onChange={(e) => setAction(e.target.value as Bulk)}>
            <option value="take">Take (unowned cases)</option><option value="offer">Offer to…</option><option value="tag">Add a tag</option><option value="status">Set status</option>
          </select>
        </label>
        {action === 'offer' ? <><ColleaguePicker value={to} onChange={setTo} staff={staff.data?.items ?? []} teams={teams.data?.items ?? []} ownerId={null} />
          <label className="grow">Context for the receiver<input value={note} onChange={(e) => setNote(e.target.value)} required maxLength={2000} /></label></> : null}
        {action === 'tag' ? <label>Tag<input value={tag} onChange={(e) => setTag(e.target.value)} required maxLength={50} /></label> : null}
        {action === 'status' ? <label>Status<select value={status} onChange={(e) => setStatus(e.target.value)}>{['open', 'waiting_on_customer', 'waiting_on_us', 'resolved', 'closed'].map((s) => <option key={s} value={s}>{label(s)}</option>)}</select></label> : null}
        <button type="submit" disabled={apply.busy || (action === 'offer' && !to)}>Apply to {cases.length}</button>
        <button type="button" className="secondary" onClick={clear}>Clear selection</button>
      </form>
      <ErrorNote error={apply.error} />
      <div role="status">
        {outcome ? (
          <>
            <p>{outcome.result.done} done, {outcome.result.refused} not done.</p>
            <ul className="list" aria-label="Results">
              {outcome.result.results.map((r) => (
                <li key={r.caseId} className={r.ok ? 'ok' : 'late'}>#{r.caseId}{subjects.has(r.caseId) ? ` ${subjects.get(r.caseId)}` : ''}: {r.ok ? DONE[outcome.action] : `not done — ${r.error}`}</li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </section>
  );
}
