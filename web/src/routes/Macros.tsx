/**
 * Macros kept in one place: mine and my team's, each corrected or deleted by whoever keeps it
 * (its owner; a team's: the team lead, managers, admins — the server decides and says so).
 */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Macro } from '../../../src/api-types';
import { api, patch } from '../api';
import { useMe } from '../session';
import { Empty, ErrorNote, useAction } from '../components/ui';

export function Macros() {
  const macros = useQuery({ queryKey: ['macros'], queryFn: () => api<{ items: Macro[] }>('/macros'), staleTime: 60_000 });
  const items = macros.data?.items ?? [];
  return (
    <>
      <h1>Macros</h1>
      <p className="meta">Placeholders filled in on the case: <code>{'{{salutation}}'}</code> the customer&apos;s form of address, <code>{'{{expected}}'}</code> the resolution time told to them, <code>{'{{case}}'}</code> the case reference. New macros are saved from a case&apos;s composer.</p>
      <ErrorNote error={macros.error} />
      {macros.isPending ? <p className="loading">Loading macros…</p> : items.length ? (
        <ul className="list macro-list" aria-label="Macros">{items.map((m) => <MacroItem key={m.id} m={m} />)}</ul>
      ) : <Empty>No macros yet.</Empty>}
    </>
  );
}

function MacroItem({ m }: { m: Macro }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(m.name);
  const [body, setBody] = useState(m.body);
  const mine = m.ownerId === me?.id || (!!m.teamId && me?.role !== 'agent');
  const save = useAction(async () => {
    await patch(`/macros/${m.id}`, { name, body });
    setEditing(false);
    await qc.invalidateQueries({ queryKey: ['macros'] });
  });
  const remove = useAction(async () => {
    await api(`/macros/${m.id}`, { method: 'DELETE' });
    await qc.invalidateQueries({ queryKey: ['macros'] });
  });
  return (
    <li className="card">
      {editing ? (
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
          <label>Name<input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required /></label>
          <label>Text<textarea value={body} onChange={(e) => setBody(e.target.value)} rows={5} maxLength={20_000} required /></label>
          <div className="row">
            <button type="submit" disabled={save.busy}>Save changes</button>
            <button type="button" className="secondary" onClick={() => { setEditing(false); setName(m.name); setBody(m.body); }}>Cancel</button>
          </div>
        </form>
      ) : (
        <>
          <h2>{m.name}{m.teamId ? <span className="count"> (team)</span> : null}</h2>
          <p className="macro-body">{m.body}</p>
          {mine ? (
            <div className="row">
              <button type="button" className="secondary" onClick={() => setEditing(true)}>Edit<span className="sr"> {m.name}</span></button>
              {confirming ? (
                <>
                  <span>Delete “{m.name}”?</span>
                  <button type="button" onClick={() => void remove.run()} disabled={remove.busy}>Yes, delete</button>
                  <button type="button" className="secondary" onClick={() => setConfirming(false)}>Keep it</button>
                </>
              ) : <button type="button" className="secondary" onClick={() => setConfirming(true)}>Delete<span className="sr"> {m.name}</span></button>}
            </div>
          ) : null}
        </>
      )}
      <ErrorNote error={save.error ?? remove.error} />
    </li>
  );
}
