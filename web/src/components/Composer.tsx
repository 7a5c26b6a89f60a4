/**
 * Acting on a case: reply (pre-filled with the customer's form of address in their language; the
 * server refuses a greeting that contradicts it or offensive words, and we show its reason),
 * internal note, phone-call note, hand-over offer (a context note is required), promise, goodwill.
 *
 * Nothing written is lost: each tab keeps its own text, kept per case in localStorage (it survives
 * switching tabs, leaving the case and reloading), and closing or reloading the page with unsent
 * text asks first. Files attached to the reply are uploaded at once and listed with the draft, so
 * they too survive a reload. The reply says where it goes (channel and recipient) before it is sent, and
 * if someone else wrote to the customer meanwhile, sending asks first.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useQueryClient, useQuery } from '@tanstack/react-query';
import type { CaseView, Staff, Team, TimelineEntry } from '../../../src/api-types';
import { api, ApiError, csrfHeaders, post } from '../api';
import { greetingFor } from '../format';
import { ErrorNote, useAction } from './ui';
import { ColleaguePicker } from './ColleaguePicker';
import { MacroPicker } from './MacroPicker';

export type ComposerMode = 'reply' | 'note' | 'call' | 'handover' | 'promise' | 'goodwill';
export const TABS: { mode: ComposerMode; text: string; key: string }[] = [
  { mode: 'reply', text: 'Reply', key: 'r' },
  { mode: 'note', text: 'Internal note', key: 'n' },
  { mode: 'call', text: 'Phone call', key: 'c' },
  { mode: 'handover', text: 'Hand over', key: 'h' },
  { mode: 'promise', text: 'Promise', key: 'p' },
  { mode: 'goodwill', text: 'Goodwill', key: 'g' },
];
const KINDS = [['refund', 'Refund'], ['credit', 'Credit'], ['replacement', 'Replacement'], ['fee_waiver', 'Fee waiver'], ['upgrade', 'Upgrade'], ['other', 'Other']];
const LABELS: Record<ComposerMode, string> = { reply: 'Reply to the customer', note: 'Internal note (not sent)', call: 'What was said on the call', handover: 'Context for the receiver (required)', promise: 'What you promise the customer', goodwill: 'Why (the customer will not see this)' };

function localInput(d: Date) {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const draftKey = (caseId: number, mode: ComposerMode) => `kept.draft.${caseId}.${mode}`;
type Drafts = Record<ComposerMode, string>;

function loadDrafts(caseId: number, greeting: string): Drafts {
  const d = {} as Drafts;
  for (const t of TABS) d[t.mode] = localStorage.getItem(draftKey(caseId, t.mode)) ?? (t.mode === 'reply' ? greeting : '');
  return d;
}

/** The cases with unsent text kept (a draft is only stored while it is more than the bare greeting). */
export function casesWithDrafts(): number[] {
  const ids = new Set<number>();
  for (let i = 0; i < localStorage.length; i += 1) {
    const m = /^kept\.draft\.(\d+)\./.exec(localStorage.key(i) ?? '');
    if (m) ids.add(Number(m[1]));
  }
  return [...ids].sort((a, b) => a - b);
}

// Unsent text on the case on screen: reloading or closing the tab asks first (the text is kept either way).
window.addEventListener('beforeunload', (e) => {
  if (document.querySelector('[data-unsent="true"]')) e.preventDefault();
});

/** Bold, lists and links written as plain text marks: the email's text part stays readable as it is. */
function wrap(el: HTMLTextAreaElement | null, set: (v: string) => void, kind: 'bold' | 'list' | 'link') {
  if (!el) return;
  const { selectionStart: a, selectionEnd: b, value } = el;
  const sel = value.slice(a, b);
  const insert = kind === 'bold' ? `**${sel || 'bold text'}**`
    : kind === 'list' ? (sel || 'item').split('\n').map((l) => `- ${l}`).join('\n')
    : `[${sel || 'link text'}](https://)`;
  set(value.slice(0, a) + insert + value.slice(b));
  setTimeout(() => { el.focus(); el.setSelectionRange(a, a + insert.length); }, 0);
}

interface Attached { id: number; filename: string; contentType: string; size: number }

/** One file for the reply: its raw bytes to the case, the name in the query; the type is detected from the bytes. */
async function uploadFile(caseId: number, file: File): Promise<Attached> {
  const res = await fetch(`/api/v1/cases/${caseId}/attachments?filename=${encodeURIComponent(file.name.slice(0, 255) || 'attachment')}`, {
    method: 'POST', body: file, credentials: 'same-origin', headers: { 'content-type': 'application/octet-stream', ...csrfHeaders() },
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data as Attached;
}

export function Composer({ c, mode, setMode, staff, timeline, meId }: { c: CaseView; mode: ComposerMode; setMode: (m: ComposerMode) => void; staff: Staff[]; timeline: TimelineEntry[]; meId: number }) {
  const qc = useQueryClient();
  const greeting = greetingFor(c.customer);
  const [drafts, setDrafts] = useState<Drafts>(() => loadDrafts(c.id, greeting));
  const text = drafts[mode];
  const setText = (v: string) => {
    setDrafts((d) => ({ ...d, [mode]: v }));
    const empty = v.trim() === '' || (mode === 'reply' && v === greeting);
    if (empty) localStorage.removeItem(draftKey(c.id, mode));
    else localStorage.setItem(draftKey(c.id, mode), v);
  };
  const [to, setTo] = useState('');
  const [due, setDue] = useState(() => localInput(new Date(Date.now() + 24 * 3_600_000)));
  const [sent, setSent] = useState<string | null>(null);
  const [kind, setKind] = useState('refund');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [shown, setShown] = useState(false);
  // Files uploaded for the reply being written, sent with it (uploaded at once, listed until sent or
  // removed). The list is kept with the draft: the files wait on the server, so a reload keeps them.
  const filesKey = `kept.draft.${c.id}.files`;
  const [files, setFilesState] = useState<Attached[]>(() => JSON.parse(localStorage.getItem(filesKey) ?? '[]') as Attached[]);
  const setFiles = (change: (list: Attached[]) => Attached[]) => setFilesState((list) => {
    const next = change(list);
    if (next.length) localStorage.setItem(filesKey, JSON.stringify(next));
    else localStorage.removeItem(filesKey);
    return next;
  });
  const attach = useAction(async (chosen: File[]) => {
    for (const f of chosen) {
      const a = await uploadFile(c.id, f);
      setFiles((list) => [...list, a]);
    }
  });
  const textRef = useRef<HTMLTextAreaElement>(null);
  const caret = useRef<number | null>(null);
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });

  // What the writer had seen when they started: a message to the customer after that means someone answered meanwhile.
  const [seenUpTo, setSeenUpTo] = useState(() => lastId(timeline));
  const unsentReply = drafts.reply !== greeting && drafts.reply.trim() !== '';
  useEffect(() => { if (!unsentReply || seenUpTo === 0) setSeenUpTo(lastId(timeline)); }, [unsentReply, timeline, seenUpTo]);
  const meanwhile = useMemo(() => timeline.filter((e) => e.id > seenUpTo && (e.kind === 'outbound_reply' || e.kind === 'phone_call') && e.authorId !== meId), [timeline, seenUpTo, meId]);
  const [confirmMeanwhile, setConfirmMeanwhile] = useState(false);

  useEffect(() => { setSent(null); caret.current = null; }, [mode]);

  const refresh = () => qc.invalidateQueries({ queryKey: ['case', c.id] });
  const clear = () => setText(mode === 'reply' ? greeting : '');
  const send = useAction(async () => {
    if (mode === 'reply') {
      if (meanwhile.length && !confirmMeanwhile) { setConfirmMeanwhile(true); return; }
      await post(`/cases/${c.id}/replies`, { body: text, ...(files.length ? { attachmentIds: files.map((f) => f.id) } : {}) });
      setConfirmMeanwhile(false);
      clear();
      setFiles(() => []);
      setSent(c.replyRoute.channel === 'email'
        ? `Reply sent by email to ${c.replyRoute.to}.`
        : `Reply recorded on the case but NOT sent to the customer: ${c.replyRoute.reason}. Tell them by their preferred channel.`);
      await refresh();
      await qc.invalidateQueries({ queryKey: ['my-work'] });
      return;
    }
    if (mode === 'note') await post(`/cases/${c.id}/notes`, { body: text, public: shown });
    if (mode === 'call') await post(`/cases/${c.id}/calls`, { body: text, public: shown });
    if (mode === 'handover') {
      const [k, id] = to.split(':');
      await post(`/cases/${c.id}/handovers`, { [k === 'team' ? 'toTeamId' : 'toStaffId']: Number(id), note: text });
    }
    if (mode === 'promise') await post(`/cases/${c.id}/commitments`, { text, dueAt: new Date(due).toISOString() });
    if (mode === 'goodwill') {
      const d = await post<{ status: string }>(`/cases/${c.id}/decisions`, { kind, amount: Number(amount), currency, reason: text });
      clear();
      setSent(d.status === 'approved' ? 'Decision made: it is effective now.' : 'Above your authority: sent to your lead for approval.');
      await refresh();
      return;
    }
    setSent({ reply: '', note: 'Note added.', call: 'Call logged.', handover: 'Offer sent: you own the case until it is accepted.', promise: 'Promise recorded.', goodwill: '' }[mode]);
    clear();
    await refresh();
    await qc.invalidateQueries({ queryKey: ['my-work'] });
  });
  const take = useAction(async () => { await post(`/cases/${c.id}/take`); await refresh(); });
  const submit = (e: FormEvent) => { e.preventDefault(); void send.run(); };
  const unsentTabs = TABS.filter((t) => t.mode !== mode && drafts[t.mode].trim() !== '' && !(t.mode === 'reply' && drafts.reply === greeting));

  return (
    <section className="card composer" aria-label="Act on this case" data-unsent={files.length || TABS.some((t) => drafts[t.mode].trim() !== '' && !(t.mode === 'reply' && drafts.reply === greeting)) ? 'true' : 'false'}>
      {!c.ownerId ? (
        <div className="row"><span>Nobody owns this case yet.</span><button type="button" onClick={() => void take.run()}>Take it</button><ErrorNote error={take.error} /></div>
      ) : null}
      <div role="tablist" aria-label="Action" className="tabs">
        {TABS.map((t) => (
          <button key={t.mode} type="button" role="tab" aria-selected={mode === t.mode} className={mode === t.mode ? 'tab active' : 'tab'} onClick={() => setMode(t.mode)}>
            {t.text}{unsentTabs.some((u) => u.mode === t.mode) ? <span className="dot" aria-label="(unsent text)">•</span> : null} <kbd aria-hidden="true">{t.key}</kbd>
          </button>
        ))}
      </div>
      <form onSubmit={submit} className="stack" role="tabpanel" aria-label={TABS.find((t) => t.mode === mode)!.text}>
        {mode === 'reply' ? (
          <p className={c.replyRoute.channel ? 'route' : 'route warn'} data-testid="reply-route">
            {c.replyRoute.channel === 'email'
              ? <>Goes by <strong>email</strong> to <strong>{c.replyRoute.to}</strong></>
              : <><strong>Will not reach the customer:</strong> {c.replyRoute.reason}. Prefers {c.customer.preferredChannel?.replace(/_/g, ' ') ?? 'no channel'}{c.customer.preferredChannel === 'phone' ? ': call them and log the call' : ''}.</>}
          </p>
        ) : null}
        {mode === 'handover' ? (
          <ColleaguePicker value={to} onChange={setTo} staff={staff} teams={teams.data?.items ?? []} ownerId={c.ownerId} />
        ) : null}
        {mode === 'goodwill' ? (
          <div className="row">
            <label>Kind<select value={kind} onChange={(e) => setKind(e.target.value)}>{KINDS.map(([k, n]) => <option key={k} value={k}>{n}</option>)}</select></label>
            <label>Amount<input inputMode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" value={amount} onChange={(e) => setAmount(e.target.value)} required /></label>
            <label>Currency<input value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} pattern="[A-Z]{3}" maxLength={3} required /></label>
          </div>
        ) : null}
        {mode === 'reply' || mode === 'note' ? (
          <MacroPicker c={c} current={text} insert={(t) => {
            const el = textRef.current;
            // Where the writer left the cursor; a field never touched takes the macro at its end, after the greeting.
            const at = caret.current ?? text.length;
            setText(text.slice(0, at) + t + text.slice(at));
            setTimeout(() => { el?.focus(); el?.setSelectionRange(at + t.length, at + t.length); }, 0);
          }} />
        ) : null}
        {mode === 'reply' ? (
          <div className="row toolbar" role="toolbar" aria-label="Formatting">
            <button type="button" className="secondary" onClick={() => wrap(textRef.current, setText, 'bold')}>Bold</button>
            <button type="button" className="secondary" onClick={() => wrap(textRef.current, setText, 'list')}>List</button>
            <button type="button" className="secondary" onClick={() => wrap(textRef.current, setText, 'link')}>Link</button>
          </div>
        ) : null}
        <label>{LABELS[mode]}
          <textarea ref={textRef} data-first rows={mode === 'reply' ? 6 : 3} value={text} onChange={(e) => setText(e.target.value)} onSelect={(e) => { caret.current = e.currentTarget.selectionEnd; }} required />
        </label>
        {mode === 'reply' ? (
          <div className="stack attachments">
            <label>Attach files
              <input type="file" multiple disabled={attach.busy} onChange={(e) => { const chosen = [...(e.currentTarget.files ?? [])]; e.currentTarget.value = ''; if (chosen.length) void attach.run(chosen); }} />
            </label>
            {attach.busy ? <p className="meta" role="status">Uploading…</p> : null}
            <ErrorNote error={attach.error} />
            {files.length ? (
              <ul aria-label="Attached files" className="files">
                {files.map((f) => (
                  <li key={f.id}>{f.filename} <span className="meta">({Math.ceil(f.size / 1024)} kB)</span>{' '}
                    <button type="button" className="secondary" aria-label={`Remove ${f.filename}`} onClick={() => setFiles((list) => list.filter((x) => x.id !== f.id))}>Remove</button>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        {mode === 'promise' ? (
          <label>Due<input type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} required /></label>
        ) : null}
        {mode === 'note' || mode === 'call' ? (
          <label className="check"><input type="checkbox" checked={shown} onChange={(e) => setShown(e.target.checked)} /> Public: the customer sees this in their portal</label>
        ) : null}
        {unsentTabs.length ? <p className="meta">Unsent text kept in: {unsentTabs.map((t) => t.text).join(', ')}</p> : null}
        {mode === 'reply' && confirmMeanwhile && meanwhile.length ? (
          <div role="alert" className="error">
            <strong>Someone answered meanwhile:</strong> {meanwhile.map((e) => `${e.authorName ?? 'a colleague'} (${e.kind === 'phone_call' ? 'call' : 'reply'})`).join(', ')}. Read it in the timeline; send yours anyway?
          </div>
        ) : null}
        <ErrorNote error={send.error} />
        {sent ? <p role="status" className={c.replyRoute.channel || mode !== 'reply' ? 'ok' : 'late'}>{sent}</p> : null}
        <div className="row">
          <button type="submit" disabled={send.busy}>{mode === 'reply' && confirmMeanwhile && meanwhile.length ? 'Send anyway' : { reply: 'Send reply', note: 'Add note', call: 'Log call', handover: 'Offer hand-over', promise: 'Make promise', goodwill: 'Decide' }[mode]}</button>
          {text.trim() && !(mode === 'reply' && text === greeting) ? <button type="button" className="secondary" onClick={clear}>Discard</button> : null}
        </div>
      </form>
    </section>
  );
}

const lastId = (t: TimelineEntry[]) => t.reduce((m, e) => Math.max(m, e.id), 0);
