import { useState } from 'react';
import { Link } from 'wouter';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CaseListPage, Customer, CustomerPage as CustomerPageData } from '../../../src/api-types';
import { api, post } from '../api';
import { label } from '../format';
import { CaseTable } from '../components/CaseTable';
import { CustomerFacts } from '../components/CustomerFacts';
import { DataRights } from '../components/DataRights';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';
import { useMe } from '../session';
import { SendSurvey } from '../components/SendSurvey';
import { SurveyAnswers } from './CasePage';

export function Customers() {
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const list = useInfiniteQuery({
    queryKey: ['customers', search],
    queryFn: ({ pageParam }) => api<CustomerPageData>(`/customers?limit=50${search ? `&q=${encodeURIComponent(search)}` : ''}${pageParam ? `&cursor=${pageParam}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <h1>Customers</h1>
      <form className="row filters" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(q.trim()); }}>
        <label className="grow">Name or email<input type="search" value={q} onChange={(e) => setQ(e.target.value)} /></label>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={list.error} />
      {items.length ? (
        <table className="table">
          <thead><tr><th scope="col">Name</th><th scope="col">Address as</th><th scope="col">Segment</th><th scope="col">Prefers</th></tr></thead>
          <tbody>{items.map((c) => (
            <tr key={c.id}><td><Link href={`/customers/${c.id}`}>{c.name}</Link></td><td>{c.salutation}</td><td>{c.segment ?? '—'}</td><td>{c.preferredChannel ? label(c.preferredChannel) : '—'}</td></tr>
          ))}</tbody>
        </table>
      ) : <Empty>No customers found.</Empty>}
      {list.hasNextPage ? <button type="button" className="secondary" onClick={() => void list.fetchNextPage()}>Load more</button> : null}
    </>
  );
}

export function CustomerPage({ id }: { id: number }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const customer = useQuery({ queryKey: ['customer', id], queryFn: () => api<Customer>(`/customers/${id}`) });
  const cases = useQuery({ queryKey: ['cases', 'customer', id], queryFn: () => api<CaseListPage>(`/cases?customer=${id}&limit=100`) });
  const [dup, setDup] = useState('');
  const merge = useAction(async () => {
    await post(`/customers/${id}/merge`, { duplicateId: Number(dup) });
    setDup('');
    await qc.invalidateQueries({ queryKey: ['customer', id] });
    await qc.invalidateQueries({ queryKey: ['cases', 'customer', id] });
  });
  if (customer.error) return <ErrorNote error={customer.error} />;
  if (!customer.data) return <p className="loading">Loading…</p>;
  const c = customer.data;
  return (
    <>
      <h1>{c.name}</h1>
      {c.mergedIntoId ? <p role="status">This record was merged into <Link href={`/customers/${c.mergedIntoId}`}>customer #{c.mergedIntoId}</Link>.</p> : null}
      <div className="grid">
        <Section title="Profile">
          <CustomerFacts c={c} />
          {me?.role !== 'executive' && !c.mergedIntoId ? <EditCustomer c={c} /> : null}
          {me?.role !== 'executive' && !c.mergedIntoId ? <SendSurvey customerId={c.id} /> : null}
        </Section>
        <SurveyAnswers customerId={c.id} />
        {me && ['lead', 'manager', 'admin'].includes(me.role) && !c.mergedIntoId ? (
          <Section title="Merge a duplicate into this customer">
            <form className="stack" onSubmit={(e) => { e.preventDefault(); void merge.run(); }}>
              <label>Duplicate customer number<input inputMode="numeric" pattern="[0-9]+" value={dup} onChange={(e) => setDup(e.target.value)} required /></label>
              <p className="meta">Both histories are kept: the duplicate's cases, promises, emails and phones move here.</p>
              <ErrorNote error={merge.error} />
              <button type="submit" disabled={merge.busy}>Merge</button>
            </form>
          </Section>
        ) : null}
        {me && ['manager', 'admin'].includes(me.role) && !c.mergedIntoId ? <DataRights customerId={c.id} erased={c.name === '[erased]'} /> : null}
      </div>
      <Section title="All cases, every channel" count={cases.data?.items.length}>
        <CaseTable items={cases.data?.items ?? []} />
      </Section>
    </>
  );
}

/** Respect starts here: title and surname until the customer says their first name is fine. */
function EditCustomer({ c }: { c: Customer }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({
    name: c.name, title: c.title ?? '', givenName: c.givenName ?? '', familyName: c.familyName ?? '', firstNameOk: c.firstNameOk,
    preferredChannel: c.preferredChannel ?? '', language: c.language ?? '', segment: c.segment ?? '', notes: c.notes ?? '',
    emails: c.emails.join(', '), phones: c.phones.join(', '),
  });
  const list = (v: string) => v.split(/[\s,]+/).filter(Boolean);
  const save = useAction(async () => {
    await api(`/customers/${c.id}`, { method: 'PATCH', body: {
      name: f.name, title: f.title || null, givenName: f.givenName || null, familyName: f.familyName || null, firstNameOk: f.firstNameOk,
      preferredChannel: f.preferredChannel || null, language: f.language || null, segment: f.segment || null, notes: f.notes || null,
      emails: list(f.emails), phones: list(f.phones),
    } });
    setOpen(false);
    await qc.invalidateQueries({ queryKey: ['customer', c.id] });
  });
  if (!open) return <button type="button" className="secondary" onClick={() => setOpen(true)}>Edit profile</button>;
  return (
    <form className="stack" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
      <label>Full name<input value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} required /></label>
      <div className="row wrap">
        <label>Title<input value={f.title} onChange={(e) => setF({ ...f, title: e.target.value })} /></label>
        <label>First name<input value={f.givenName} onChange={(e) => setF({ ...f, givenName: e.target.value })} /></label>
        <label>Surname<input value={f.familyName} onChange={(e) => setF({ ...f, familyName: e.target.value })} /></label>
      </div>
      <label className="check"><input type="checkbox" checked={f.firstNameOk} onChange={(e) => setF({ ...f, firstNameOk: e.target.checked })} /> The customer is happy to be called by their first name</label>
      <div className="row wrap">
        <label>Prefers<select value={f.preferredChannel} onChange={(e) => setF({ ...f, preferredChannel: e.target.value })}>
          <option value="">—</option>{['email', 'phone', 'chat', 'web', 'in_person', 'other'].map((ch) => <option key={ch} value={ch}>{label(ch)}</option>)}
        </select></label>
        <label>Language<input value={f.language} onChange={(e) => setF({ ...f, language: e.target.value })} placeholder="en" /></label>
        <label>Segment<input value={f.segment} onChange={(e) => setF({ ...f, segment: e.target.value })} /></label>
      </div>
      <label>Emails (comma separated)<input value={f.emails} onChange={(e) => setF({ ...f, emails: e.target.value })} /></label>
      <label>Phones (comma separated)<input value={f.phones} onChange={(e) => setF({ ...f, phones: e.target.value })} /></label>
      <label>Notes<textarea rows={3} value={f.notes} onChange={(e) => setF({ ...f, notes: e.target.value })} /></label>
      <ErrorNote error={save.error} />
      <div className="row"><button type="submit" disabled={save.busy}>Save profile</button><button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button></div>
    </form>
  );
}
