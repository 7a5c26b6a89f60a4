import { useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CannedAnswer, ChatDesk as Desk, ChatTranscript } from '../../../src/api-types';
import { api, post } from '../api';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';

const PRESENCE = [['available', 'Available'], ['busy', 'Busy'], ['away', 'Away'], ['offline', 'Offline']] as const;

const waited = (since: string | null) => {
  if (!since) return '';
  const s = Math.max(0, Math.round((Date.now() - new Date(since).getTime()) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/** The agent's chat desk: presence and capacity, the queue (accept), and their live chats. */
export function ChatDesk() {
  const qc = useQueryClient();
  const desk = useQuery({ queryKey: ['chat', 'desk'], queryFn: () => api<Desk>('/chat/desk'), refetchInterval: 10_000 });
  const [openId, setOpenId] = useState<number | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['chat'] });
  const presence = useAction(async (body: { status?: string; capacity?: number }) => {
    await api('/chat/presence', { method: 'PUT', body: { status: desk.data?.presence.status ?? 'offline', ...body } });
    await refresh();
  });
  const accept = useAction(async (id: number) => {
    await post(`/chat/desk/${id}/accept`);
    setOpenId(id);
    await refresh();
  });
  const d = desk.data;
  const current = openId ?? d?.mine[0]?.id ?? null;
  return (
    <>
      <h1>Chat</h1>
      <ErrorNote error={desk.error} />
      {d ? (
        <>
          <div className="row filters">
            <label>My presence
              <select value={d.presence.status} disabled={presence.busy} onChange={(e) => void presence.run({ status: e.target.value })}>
                {PRESENCE.map(([v, t]) => <option key={v} value={v}>{t}</option>)}
              </select>
            </label>
            <label>Chats at once
              <input type="number" min={1} max={20} value={d.presence.capacity} disabled={presence.busy}
                onChange={(e) => { const n = Number(e.target.value); if (n >= 1 && n <= 20) void presence.run({ capacity: n }); }} />
            </label>
          </div>
          <ErrorNote error={presence.error ?? accept.error} />
          <div className="chat-desk">
            <Section title="Waiting" count={d.waiting.length}>
              {d.waiting.length ? (
                <ul className="list">
                  {d.waiting.map((w) => (
                    <li key={w.id} className={w.offeredToMe ? 'offered' : ''}>
                      <div><strong>Chat {w.id}</strong> · {w.teamName ?? 'any team'} · waiting {waited(w.queuedAt)}{w.leftAt ? ' · stepped away' : ''}{w.offeredToMe ? ' · offered to you' : ''}</div>
                      {w.lastMessage ? <div className="meta">“{w.lastMessage}”</div> : null}
                      <button type="button" disabled={accept.busy} onClick={() => void accept.run(w.id)}>Accept chat {w.id}</button>
                    </li>
                  ))}
                </ul>
              ) : <Empty>Nobody is waiting.</Empty>}
            </Section>
            <Section title="My chats" count={d.mine.length}>
              {d.mine.length ? (
                <div className="tabs" role="tablist" aria-label="My chats">
                  {d.mine.map((m) => (
                    <button key={m.id} type="button" role="tab" aria-selected={m.id === current} className={`tab${m.id === current ? ' active' : ''}`} onClick={() => setOpenId(m.id)}>Chat {m.id}</button>
                  ))}
                </div>
              ) : <Empty>No live chats. Set yourself available to be offered one.</Empty>}
              {current && d.mine.some((m) => m.id === current) ? <ChatPanel key={current} id={current} /> : null}
            </Section>
          </div>
        </>
      ) : <p className="loading">Loading…</p>}
    </>
  );
}

function ChatPanel({ id }: { id: number }) {
  const qc = useQueryClient();
  const chat = useQuery({ queryKey: ['chat', 'transcript', id], queryFn: () => api<ChatTranscript>(`/chat/desk/${id}`) });
  const canned = useQuery({ queryKey: ['chat-canned'], queryFn: () => api<{ items: CannedAnswer[] }>('/chat/canned-answers'), staleTime: 60_000 });
  const [text, setText] = useState('');
  const [typing, setTyping] = useState(false);
  const lastTyping = useRef(0);
  const log = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const on = (e: Event) => {
      const d = (e as CustomEvent<{ conversationId: number; author?: string }>).detail;
      if (d.conversationId !== id || d.author !== 'visitor') return;
      setTyping(true);
      clearTimeout(timer);
      timer = setTimeout(() => setTyping(false), 4000);
    };
    window.addEventListener('kept-chat-typing', on);
    return () => { window.removeEventListener('kept-chat-typing', on); clearTimeout(timer); };
  }, [id]);
  useEffect(() => { log.current?.scrollTo(0, log.current.scrollHeight); }, [chat.data?.messages.length]);
  const send = useAction(async () => {
    await post(`/chat/desk/${id}/replies`, { body: text });
    setText('');
    await qc.invalidateQueries({ queryKey: ['chat', 'transcript', id] });
  });
  const end = useAction(async (resolve: boolean) => {
    await post(`/chat/desk/${id}/end`, { resolve });
    await qc.invalidateQueries({ queryKey: ['chat'] });
  });
  const c = chat.data;
  if (!c) return <ErrorNote error={chat.error} />;
  return (
    <div className="chat-panel">
      <p className="meta">
        {c.caseId ? <>Case <Link href={`/cases/${c.caseId}`}>K-{c.caseId}</Link> (hand over from the case) · </> : null}
        {c.email ?? 'no email given'} · {c.language.toUpperCase()}
      </p>
      <div className="chat-log" ref={log} role="log" aria-live="polite" aria-label={`Messages of chat ${id}`}><ol>
        {c.messages.map((m) => (
          <li key={m.seq} className={`chat-${m.author}`}>
            {m.author !== 'system' ? <span className="who">{m.author === 'visitor' ? 'Visitor' : m.staffName}</span> : null}
            <span>{m.body}</span>
          </li>
        ))}
      </ol></div>
      <p className="meta" aria-live="polite">{typing ? 'The visitor is typing…' : '\u00a0'}</p>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); void send.run(); }}>
        {canned.data?.items.length ? (
          <label>Canned answer
            <select value="" onChange={(e) => { const a = canned.data.items.find((x) => String(x.id) === e.target.value); if (a) setText((t) => (t ? `${t}\n${a.body}` : a.body)); }}>
              <option value="">Insert…</option>
              {canned.data.items.map((a) => <option key={a.id} value={a.id}>{a.title}</option>)}
            </select>
          </label>
        ) : null}
        <label>Reply
          <textarea value={text} maxLength={2000} onChange={(e) => {
            setText(e.target.value);
            if (Date.now() - lastTyping.current > 3000) { lastTyping.current = Date.now(); void post(`/chat/desk/${id}/typing`).catch(() => {}); }
          }} onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); if (text.trim()) void send.run(); } }} />
        </label>
        <ErrorNote error={send.error ?? end.error} />
        <div className="row">
          <button type="submit" disabled={send.busy || !text.trim()}>Send</button>
          <button type="button" className="secondary" disabled={end.busy} onClick={() => void end.run(false)}>End chat</button>
          <button type="button" className="secondary" disabled={end.busy} onClick={() => void end.run(true)}>End and resolve case</button>
        </div>
      </form>
    </div>
  );
}
