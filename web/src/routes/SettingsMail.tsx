/** Settings: the email channel — support addresses, IMAP mailboxes, and the quarantine. */
import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Settings } from '../../../src/api-types';
import { api, patch, post } from '../api';
import type { Mailbox, QuarantinedEmail as Quarantined } from '../../../src/api-types';
import { when } from '../format';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';


export function MailSettings() {
  return (
    <>
      <SupportAddresses />
      <Mailboxes />
      <Quarantine />
    </>
  );
}

function SupportAddresses() {
  const qc = useQueryClient();
  const s = useQuery({ queryKey: ['settings'], queryFn: () => api<Settings>('/settings') });
  const [text, setText] = useState('');
  useEffect(() => { if (s.data) setText(s.data.supportAddresses.join(', ')); }, [s.data]);
  const save = useAction(async () => {
    await patch('/settings', { supportAddresses: text.split(/[\s,]+/).filter(Boolean) });
    await qc.invalidateQueries({ queryKey: ['settings'] });
  });
  return (
    <Section title="Support addresses">
      <form className="row" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <label className="grow">Addresses the SMTP receiver accepts (empty: any)<input value={text} onChange={(e) => setText(e.target.value)} placeholder="support@example.com, help@example.com" /></label>
        <button type="submit">Save</button>
      </form>
      <ErrorNote error={save.error} />
    </Section>
  );
}

function Mailboxes() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['mailboxes'], queryFn: () => api<{ items: Mailbox[] }>('/mailboxes') });
  const [form, setForm] = useState({ name: '', host: '', port: 993, secure: true, username: '', password: '', folder: 'INBOX' });
  const add = useAction(async () => { await post('/mailboxes', form); setForm({ ...form, password: '' }); await qc.invalidateQueries({ queryKey: ['mailboxes'] }); });
  const toggle = useAction(async (m: Mailbox) => { await patch(`/mailboxes/${m.id}`, { active: !m.active }); await qc.invalidateQueries({ queryKey: ['mailboxes'] }); });
  return (
    <Section title="IMAP mailboxes">
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label>Name<input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <label>Host<input value={form.host} onChange={(e) => setForm({ ...form, host: e.target.value })} required /></label>
        <label>Port<input type="number" value={form.port} onChange={(e) => setForm({ ...form, port: Number(e.target.value) })} /></label>
        <label className="check"><input type="checkbox" checked={form.secure} onChange={(e) => setForm({ ...form, secure: e.target.checked })} /> TLS</label>
        <label>User<input value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} required /></label>
        <label>Password<input type="password" autoComplete="off" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required /></label>
        <label>Folder<input value={form.folder} onChange={(e) => setForm({ ...form, folder: e.target.value })} /></label>
        <button type="submit">Add mailbox</button>
      </form>
      <ErrorNote error={add.error ?? toggle.error} />
      {list.data?.items.length ? (
        <ul className="list">{list.data.items.map((m) => (
          <li key={m.id} className="row">
            <span className="grow">{m.name}: {m.username}@{m.host}:{m.port}/{m.folder}
              <span className="meta"> · {m.active ? 'polling' : 'paused'} · last looked {when(m.lastPolledAt)}{m.lastError ? ` · error: ${m.lastError}` : ''}</span></span>
            <button type="button" className="link" onClick={() => void toggle.run(m)}>{m.active ? 'Pause' : 'Resume'}<span className="sr"> {m.name}</span></button>
          </li>
        ))}</ul>
      ) : <Empty>No mailboxes polled.</Empty>}
    </Section>
  );
}

function Quarantine() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['quarantine'], queryFn: () => api<{ items: Quarantined[] }>('/emails/quarantine') });
  const again = useAction(async (id: number) => { await post(`/emails/${id}/reprocess`); await qc.invalidateQueries({ queryKey: ['quarantine'] }); });
  return (
    <Section title="Quarantined email" count={list.data?.items.length}>
      <p className="meta">Messages Kept stored but could not file. Nothing is dropped: download the raw message, fix what is needed, and process it again.</p>
      <ErrorNote error={again.error} />
      {list.data?.items.length ? (
        <ul className="list">{list.data.items.map((q) => (
          <li key={q.id} className="row">
            <span className="grow">#{q.id} from {q.envelopeFrom ?? 'unknown'} · {when(q.receivedAt)} · {Math.ceil(q.size / 1024)} kB<div className="meta">{q.reason}</div></span>
            <a href={`/api/v1/emails/${q.id}/raw`}>Raw<span className="sr"> message {q.id}</span></a>
            <button type="button" className="link" onClick={() => void again.run(q.id)}>Process again<span className="sr"> {q.id}</span></button>
          </li>
        ))}</ul>
      ) : <Empty>Nothing in quarantine.</Empty>}
    </Section>
  );
}
