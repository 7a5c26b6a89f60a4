import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Commitment } from '../../../src/api-types';
import { post } from '../api';
import { timeLeft, when } from '../format';
import { Empty, ErrorNote, useAction } from './ui';

/** Promises: keep one, or renegotiate it — only after confirming the customer was told. */
export function Promises({ caseId, items }: { caseId: number; items: Commitment[] }) {
  const promises = items.filter((p) => p.kind === 'promise');
  if (!promises.length) return <Empty>No promises on this case.</Empty>;
  return <ul className="list">{promises.map((p) => <PromiseItem key={p.id} p={p} caseId={caseId} />)}</ul>;
}

function PromiseItem({ p, caseId }: { p: Commitment; caseId: number }) {
  const qc = useQueryClient();
  const [moving, setMoving] = useState(false);
  const [newDue, setNewDue] = useState('');
  const [told, setTold] = useState(false);
  const [how, setHow] = useState('');
  const live = p.status === 'open' || p.status === 'renegotiated';
  const refresh = () => qc.invalidateQueries({ queryKey: ['case', caseId] });
  const keep = useAction(async () => { await post(`/commitments/${p.id}/keep`); await refresh(); });
  const move = useAction(async () => {
    await post(`/commitments/${p.id}/renegotiate`, { newDueAt: new Date(newDue).toISOString(), customerTold: told, customerToldHow: how });
    setMoving(false);
    await refresh();
  });
  const left = timeLeft(p.dueAt);
  return (
    <li>
      <strong>{p.text}</strong>
      <div className="meta">
        <span className={`pill ${p.status}`}>{p.status}</span> due {when(p.dueAt)}{live ? <span className={left.late ? 'late' : 'soon'}> ({left.text})</span> : null}
      </div>
      {live ? (
        <div className="row">
          <button type="button" onClick={() => void keep.run()} disabled={keep.busy}>Mark kept</button>
          <button type="button" className="secondary" onClick={() => setMoving(!moving)} aria-expanded={moving}>Renegotiate…</button>
        </div>
      ) : null}
      {moving ? (
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void move.run(); }}>
          <label>New due time<input type="datetime-local" value={newDue} onChange={(e) => setNewDue(e.target.value)} required /></label>
          <label>How the customer was told<input value={how} onChange={(e) => setHow(e.target.value)} required placeholder="phone call, she agreed" /></label>
          <label className="check"><input type="checkbox" checked={told} onChange={(e) => setTold(e.target.checked)} /> The customer was told and agreed</label>
          <button type="submit" disabled={move.busy}>Move the promise</button>
        </form>
      ) : null}
      <ErrorNote error={keep.error ?? move.error} />
    </li>
  );
}
