/** Recoveries on a case: the 24-hour clock, and the apology, fix and surprise as they are done. */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, post } from '../api';
import type { Department, RecoveryItem as Recovery } from '../../../src/api-types';
import { label, timeLeft, when } from '../format';
import { ErrorNote, Section, useAction } from './ui';


export function Recoveries({ caseId }: { caseId: number }) {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['case', caseId, 'recoveries'], queryFn: () => api<{ items: Recovery[] }>(`/recoveries?case=${caseId}`) });
  const [note, setNote] = useState('');
  const [flagging, setFlagging] = useState(false);
  const flag = useAction(async () => { await post(`/cases/${caseId}/recoveries`, { note }); setNote(''); setFlagging(false); await qc.invalidateQueries({ queryKey: ['case', caseId] }); });
  const items = list.data?.items ?? [];
  return (
    <Section title="Service recovery" count={items.length}>
      {items.map((r) => <RecoveryItem key={r.id} r={r} caseId={caseId} />)}
      {flagging ? (
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void flag.run(); }}>
          <label>What went wrong<input value={note} onChange={(e) => setNote(e.target.value)} required /></label>
          <ErrorNote error={flag.error} />
          <button type="submit">Open a recovery</button>
        </form>
      ) : <button type="button" className="secondary" onClick={() => setFlagging(true)}>This was our OOPS…</button>}
    </Section>
  );
}

function RecoveryItem({ r, caseId }: { r: Recovery; caseId: number }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const next = !r.apologyAt ? 'apology' : !r.fixAt ? 'fix' : !r.surpriseAt ? 'surprise' : null;
  const step = useAction(async () => {
    await post(`/recoveries/${r.id}/${next}`, next === 'apology' ? { how: text } : { what: text });
    setText('');
    await qc.invalidateQueries({ queryKey: ['case', caseId] });
  });
  const left = timeLeft(r.dueAt);
  return (
    <div className="recovery">
      <div><span className={`pill ${r.status === 'late' ? 'broken' : r.status === 'recovered' ? 'kept' : ''}`}>{r.status}</span> {label(r.source)} · opened {when(r.openedAt)}
        {r.status === 'open' ? <span className={left.late ? 'late' : 'soon'}> · fix {left.text}</span> : null}</div>
      {r.note ? <div className="meta">{r.note}</div> : null}
      <RootCause r={r} caseId={caseId} />
      <ol className="steps">
        <li>Apology: {r.apologyAt ? `${r.apologyHow} (${when(r.apologyAt)})` : 'not yet'}</li>
        <li>Fix: {r.fixAt ? `${r.fixWhat} (${when(r.fixAt)})` : 'not yet'}</li>
        <li>Surprise: {r.surpriseAt ? `${r.surpriseWhat} (${when(r.surpriseAt)})` : 'not yet'}</li>
      </ol>
      {next ? (
        <form className="row" onSubmit={(e) => { e.preventDefault(); void step.run(); }}>
          <label className="grow">{next === 'apology' ? 'How did you apologise?' : next === 'fix' ? 'What fixed it?' : 'What surprised them?'}
            <input value={text} onChange={(e) => setText(e.target.value)} required /></label>
          <button type="submit" disabled={step.busy}>Record {next}</button>
        </form>
      ) : null}
      <ErrorNote error={step.error} />
    </div>
  );
}

function RootCause({ r, caseId }: { r: Recovery; caseId: number }) {
  const qc = useQueryClient();
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments'), staleTime: 300_000 });
  const save = useAction(async (value: string) => {
    await api(`/recoveries/${r.id}`, { method: 'PATCH', body: { causedByDepartmentId: value ? Number(value) : null } });
    await qc.invalidateQueries({ queryKey: ['case', caseId] });
  });
  return (
    <>
      <label>Caused by (department)
        <select value={r.causedByDepartmentId ?? ''} onChange={(e) => void save.run(e.target.value)}>
          <option value="">— not named —</option>
          {depts.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
        </select>
      </label>
      <ErrorNote error={save.error} />
    </>
  );
}
