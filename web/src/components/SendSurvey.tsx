/** Ask one customer a survey now (about this case, if on one): cooldown and open recoveries are respected by the server, which says why it did not ask. */
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Survey } from '../../../src/api-types';
import { api, post } from '../api';
import { ErrorNote, useAction } from './ui';

export function SendSurvey({ customerId, caseId }: { customerId: number; caseId?: number }) {
  const surveys = useQuery({ queryKey: ['surveys'], queryFn: () => api<{ items: Survey[] }>('/surveys'), staleTime: 300_000 });
  const [survey, setSurvey] = useState('');
  const [done, setDone] = useState(false);
  const send = useAction(async () => {
    setDone(false);
    await post(`/surveys/${survey}/invitations`, { customerId, ...(caseId ? { caseId } : {}) });
    setDone(true);
  });
  const items = surveys.data?.items ?? [];
  if (!items.length) return null;
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); void send.run(); }}>
      <label className="grow">Send a survey
        <select value={survey} onChange={(e) => setSurvey(e.target.value)} required>
          <option value="">— choose a survey —</option>
          {items.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </label>
      <button type="submit" className="secondary" disabled={send.busy}>Send survey</button>
      <ErrorNote error={send.error} />
      {done ? <p role="status" className="ok">Survey sent to the customer.</p> : null}
    </form>
  );
}
