/** Settings: surveys — which questions, when they are sent, and whether they are active. */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, patch, post } from '../api';
import type { Survey } from '../../../src/api-types';
import { label } from '../format';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';
import { SurveySegmentSend } from '../components/SurveySegmentSend';

const KINDS = [['nps', 'Recommend (NPS 0–10)'], ['ces', 'Effort (CES 1–7)'], ['expectation', 'Expected vs delivered'], ['feeling', 'How we made you feel'],
  ['remember', 'What you remember most'], ['ease', 'How easy it was'], ['stay', 'Likely to stay (0–10)'], ['csat', 'Satisfaction (CSAT 1–5)']] as const;

export function SurveySettings() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['surveys'], queryFn: () => api<{ items: Survey[] }>('/surveys') });
  const [form, setForm] = useState({ name: '', trigger: 'case_resolved', touchpoint: '', segment: '', everyDays: '' });
  const [kinds, setKinds] = useState<string[]>(['nps', 'ces', 'expectation']);
  const add = useAction(async () => {
    await post('/surveys', {
      name: form.name, trigger: form.trigger, questions: kinds.map((kind) => ({ kind })),
      touchpoint: form.trigger === 'touchpoint' ? form.touchpoint : null, segment: form.trigger === 'relationship' ? form.segment : null,
      everyDays: form.trigger === 'relationship' && form.everyDays ? Number(form.everyDays) : null,
    });
    setForm({ ...form, name: '' });
    await qc.invalidateQueries({ queryKey: ['surveys'] });
  });
  const toggle = useAction(async (s: Survey) => { await patch(`/surveys/${s.id}`, { active: !s.active }); await qc.invalidateQueries({ queryKey: ['surveys'] }); });
  return (
    <Section title="Surveys">
      <form className="stack" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <div className="row wrap">
          <label className="grow">Name<input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
          <label>Sent<select value={form.trigger} onChange={(e) => setForm({ ...form, trigger: e.target.value })}>
            <option value="case_resolved">after a case is resolved</option>
            <option value="touchpoint">after a touchpoint</option>
            <option value="relationship">to a segment</option>
          </select></label>
          {form.trigger === 'touchpoint' ? <label>Touchpoint<input value={form.touchpoint} onChange={(e) => setForm({ ...form, touchpoint: e.target.value })} required /></label> : null}
          {form.trigger === 'relationship' ? <>
            <label>Segment<input value={form.segment} onChange={(e) => setForm({ ...form, segment: e.target.value })} required /></label>
            <label>Every (days)<input type="number" min={1} value={form.everyDays} onChange={(e) => setForm({ ...form, everyDays: e.target.value })} /></label>
          </> : null}
        </div>
        <fieldset>
          <legend>Questions (an open comment always ends the survey)</legend>
          <div className="row wrap">{KINDS.map(([k, text]) => (
            <label key={k} className="check"><input type="checkbox" checked={kinds.includes(k)} onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))} /> {text}</label>
          ))}</div>
        </fieldset>
        <ErrorNote error={add.error ?? toggle.error} />
        <button type="submit" disabled={!kinds.length}>Add survey</button>
      </form>
      {list.data?.items.length ? (
        <ul className="list">{list.data.items.map((s) => (
          <li key={s.id} className="row">
            <span className="grow"><strong>{s.name}</strong> <span className="meta">· {label(s.trigger)}{s.touchpoint ? ` (${s.touchpoint})` : ''}{s.segment ? ` to ${s.segment}` : ''}{s.everyDays ? ` every ${s.everyDays} days` : ''} · {s.questions.map((q) => q.kind).join(', ')}</span></span>
            <button type="button" className="link" onClick={() => void toggle.run(s)}>{s.active ? 'Deactivate' : 'Activate'}<span className="sr"> {s.name}</span></button>
            {s.trigger === 'relationship' ? <SurveySegmentSend survey={s} /> : null}
          </li>
        ))}</ul>
      ) : <Empty>No surveys yet.</Empty>}
    </Section>
  );
}
