/** Opening a case by hand: a phone call, a visit, a letter. The customer is found or created here. */
import { useState } from 'react';
import { useLocation } from 'wouter';
import { useQuery } from '@tanstack/react-query';
import type { CaseView, CustomerPage, Team } from '../../../src/api-types';
import { api, post } from '../api';
import { ErrorNote, Section, useAction } from '../components/ui';

const CHANNELS = [['phone', 'Phone'], ['email', 'Email'], ['chat', 'Chat'], ['web', 'Web form'], ['in_person', 'In person'], ['other', 'Other']] as const;

export function NewCase() {
  const [, navigate] = useLocation();
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });
  const [find, setFind] = useState('');
  const [search, setSearch] = useState('');
  const found = useQuery({ queryKey: ['customers', 'pick', search], queryFn: () => api<CustomerPage>(`/customers?limit=8&q=${encodeURIComponent(search)}`), enabled: search.length > 1 });
  const [customerId, setCustomerId] = useState<number | null>(null);
  const [customer, setCustomer] = useState({ name: '', title: '', givenName: '', familyName: '', email: '', phone: '' });
  const [form, setForm] = useState({ subject: '', channel: 'phone', type: 'question', priority: 'normal', teamId: '', message: '' });
  const open = useAction(async () => {
    const c = await post<CaseView>('/cases', {
      subject: form.subject, channel: form.channel, type: form.type, priority: form.priority,
      teamId: form.teamId ? Number(form.teamId) : undefined, message: form.message || undefined,
      ...(customerId ? { customerId } : { customer: {
        name: customer.name || `${customer.givenName} ${customer.familyName}`.trim(), title: customer.title || null,
        givenName: customer.givenName || null, familyName: customer.familyName || null,
        emails: customer.email ? [customer.email] : [], phones: customer.phone ? [customer.phone] : [],
      } }),
    });
    navigate(`/cases/${c.id}`);
  });
  const chosen = found.data?.items.find((c) => c.id === customerId);
  return (
    <>
      <h1>New case</h1>
      <form className="stack" onSubmit={(e) => { e.preventDefault(); void open.run(); }}>
        <Section title="Customer">
          {chosen ? (
            <p>{chosen.name} (address as {chosen.salutation}) <button type="button" className="link" onClick={() => setCustomerId(null)}>Choose another</button></p>
          ) : (
            <>
              <div className="row">
                <label className="grow">Find by name or email<input type="search" value={find} onChange={(e) => setFind(e.target.value)} /></label>
                <button type="button" className="secondary" onClick={() => setSearch(find.trim())}>Find</button>
              </div>
              {found.data?.items.length ? (
                <ul className="list">{found.data.items.map((c) => (
                  <li key={c.id} className="row"><span className="grow">{c.name} <span className="meta">· {c.salutation}</span></span>
                    <button type="button" className="link" onClick={() => setCustomerId(c.id)}>Choose<span className="sr"> {c.name}</span></button></li>
                ))}</ul>
              ) : null}
              <p className="meta">Or a new customer:</p>
              <div className="row wrap">
                <label>Title<input value={customer.title} onChange={(e) => setCustomer({ ...customer, title: e.target.value })} placeholder="Mrs" /></label>
                <label>First name<input value={customer.givenName} onChange={(e) => setCustomer({ ...customer, givenName: e.target.value })} /></label>
                <label>Surname<input value={customer.familyName} onChange={(e) => setCustomer({ ...customer, familyName: e.target.value })} /></label>
                <label>Email<input type="email" value={customer.email} onChange={(e) => setCustomer({ ...customer, email: e.target.value })} /></label>
                <label>Phone<input type="tel" value={customer.phone} onChange={(e) => setCustomer({ ...customer, phone: e.target.value })} /></label>
              </div>
            </>
          )}
        </Section>
        <Section title="The case">
          <div className="stack">
            <label>Subject<input value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} required /></label>
            <div className="row wrap">
              <label>Channel<select value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })}>{CHANNELS.map(([v, t]) => <option key={v} value={v}>{t}</option>)}</select></label>
              <label>Type<input value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })} list="case-types" /></label>
              <datalist id="case-types">{['question', 'complaint', 'delivery', 'billing', 'return', 'fault'].map((t) => <option key={t} value={t} />)}</datalist>
              <label>Priority<select value={form.priority} onChange={(e) => setForm({ ...form, priority: e.target.value })}>{['low', 'normal', 'high', 'urgent'].map((p) => <option key={p}>{p}</option>)}</select></label>
              <label>Team<select value={form.teamId} onChange={(e) => setForm({ ...form, teamId: e.target.value })}><option value="">— mine —</option>{teams.data?.items.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
            </div>
            <label>What the customer said<textarea rows={4} value={form.message} onChange={(e) => setForm({ ...form, message: e.target.value })} /></label>
          </div>
        </Section>
        <ErrorNote error={open.error} />
        <button type="submit" disabled={open.busy}>Open the case (you will own it)</button>
      </form>
    </>
  );
}
