/**
 * Acting on a case: reply (pre-filled with the customer's form of address; the server refuses
 * a greeting that contradicts it or offensive words, and we show its reason), internal note,
 * phone-call note, hand-over offer (a context note is required), promise.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { CaseView, Staff, Team } from '../../../src/api-types';
import { useQuery } from '@tanstack/react-query';
import { api, post } from '../api';
import { ErrorNote, useAction } from './ui';

export type ComposerMode = 'reply' | 'note' | 'call' | 'handover' | 'promise' | 'goodwill';
const TABS: { mode: ComposerMode; text: string; key: string }[] = [
  { mode: 'reply', text: 'Reply', key: 'r' },
  { mode: 'note', text: 'Internal note', key: 'n' },
  { mode: 'call', text: 'Phone call', key: 'c' },
  { mode: 'handover', text: 'Hand over', key: 'h' },
  { mode: 'promise', text: 'Promise', key: 'p' },
  { mode: 'goodwill', text: 'Goodwill', key: 'g' },
];
const KINDS = [['refund', 'Refund'], ['credit', 'Credit'], ['replacement', 'Replacement'], ['fee_waiver', 'Fee waiver'], ['upgrade', 'Upgrade'], ['other', 'Other']];

function localInput(d: Date) {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function Composer({ c, mode, setMode, staff }: { c: CaseView; mode: ComposerMode; setMode: (m: ComposerMode) => void; staff: Staff[] }) {
  const qc = useQueryClient();
  const greeting = `Dear ${c.customer.salutation},\n\n`;
  const [text, setText] = useState(greeting);
  const [to, setTo] = useState('');
  const [due, setDue] = useState(() => localInput(new Date(Date.now() + 24 * 3_600_000)));
  const [sent, setSent] = useState<string | null>(null);
  const [kind, setKind] = useState('refund');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [shown, setShown] = useState(false);
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });

  useEffect(() => {
    setText(mode === 'reply' ? greeting : '');
    setSent(null);
  }, [mode, greeting]);

  const refresh = () => qc.invalidateQueries({ queryKey: ['case', c.id] });
  const send = useAction(async () => {
    if (mode === 'reply') await post(`/cases/${c.id}/replies`, { body: text });
    if (mode === 'note') await post(`/cases/${c.id}/notes`, { body: text, public: shown });
    if (mode === 'call') await post(`/cases/${c.id}/calls`, { body: text, public: shown });
    if (mode === 'handover') {
      const [kind, id] = to.split(':');
      await post(`/cases/${c.id}/handovers`, { [kind === 'team' ? 'toTeamId' : 'toStaffId']: Number(id), note: text });
    }
    if (mode === 'promise') await post(`/cases/${c.id}/commitments`, { text, dueAt: new Date(due).toISOString() });
    if (mode === 'goodwill') {
      const d = await post<{ status: string }>(`/cases/${c.id}/decisions`, { kind, amount: Number(amount), currency, reason: text });
      setText('');
      setSent(d.status === 'approved' ? 'Decision made: it is effective now.' : 'Above your authority: sent to your lead for approval.');
      await refresh();
      return;
    }
    setSent({ reply: 'Reply sent.', note: 'Note added.', call: 'Call logged.', handover: 'Offer sent: you own the case until it is accepted.', promise: 'Promise recorded.', goodwill: '' }[mode]);
    setText(mode === 'reply' ? greeting : '');
    await refresh();
    await qc.invalidateQueries({ queryKey: ['my-work'] });
  });
  const take = useAction(async () => { await post(`/cases/${c.id}/take`); await refresh(); });
  const submit = (e: FormEvent) => { e.preventDefault(); void send.run(); };

  return (
    <section className="card composer" aria-label="Act on this case">
      {!c.ownerId ? (
        <div className="row"><span>Nobody owns this case yet.</span><button type="button" onClick={() => void take.run()}>Take it</button><ErrorNote error={take.error} /></div>
      ) : null}
      <div role="tablist" aria-label="Action" className="tabs">
        {TABS.map((t) => (
          <button key={t.mode} type="button" role="tab" aria-selected={mode === t.mode} className={mode === t.mode ? 'tab active' : 'tab'} onClick={() => setMode(t.mode)}>
            {t.text} <kbd aria-hidden="true">{t.key}</kbd>
          </button>
        ))}
      </div>
      <form onSubmit={submit} className="stack" role="tabpanel" aria-label={TABS.find((t) => t.mode === mode)!.text}>
        {mode === 'handover' ? (
          <label>Offer to
            <select value={to} onChange={(e) => setTo(e.target.value)} required>
              <option value="">— choose a colleague or team —</option>
              <optgroup label="Colleagues">
                {staff.filter((s) => s.id !== c.ownerId && s.role !== 'executive').map((s) => <option key={s.id} value={`staff:${s.id}`}>{s.name}</option>)}
              </optgroup>
              <optgroup label="Teams">
                {teams.data?.items.map((t) => <option key={t.id} value={`team:${t.id}`}>{t.name}</option>)}
              </optgroup>
            </select>
          </label>
        ) : null}
        {mode === 'goodwill' ? (
          <div className="row">
            <label>Kind<select value={kind} onChange={(e) => setKind(e.target.value)}>{KINDS.map(([k, n]) => <option key={k} value={k}>{n}</option>)}</select></label>
            <label>Amount<input inputMode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" value={amount} onChange={(e) => setAmount(e.target.value)} required /></label>
            <label>Currency<input value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} pattern="[A-Z]{3}" maxLength={3} required /></label>
          </div>
        ) : null}
        {mode === 'promise' ? (
          <label>Due<input type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} required /></label>
        ) : null}
        <label>{{ reply: 'Reply to the customer', note: 'Internal note (not sent)', call: 'What was said on the call', handover: 'Context for the receiver (required)', promise: 'What you promise the customer', goodwill: 'Why (the customer will not see this)' }[mode]}
          <textarea rows={mode === 'reply' ? 6 : 3} value={text} onChange={(e) => setText(e.target.value)} required />
        </label>
        {mode === 'note' || mode === 'call' ? (
          <label className="check"><input type="checkbox" checked={shown} onChange={(e) => setShown(e.target.checked)} /> Public: the customer sees this in their portal</label>
        ) : null}
        <ErrorNote error={send.error} />
        {sent ? <p role="status" className="ok">{sent}</p> : null}
        <div className="row">
          <button type="submit" disabled={send.busy}>{{ reply: 'Send reply', note: 'Add note', call: 'Log call', handover: 'Offer hand-over', promise: 'Make promise', goodwill: 'Decide' }[mode]}</button>
        </div>
      </form>
    </section>
  );
}
