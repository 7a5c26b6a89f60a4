import { useState } from 'react';
import { Link } from 'wouter';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CaseListPage, Customer, CustomerPage as CustomerPageData } from '../../../src/api-types';
import { api, post } from '../api';
import { label } from '../format';
import { CaseTable } from '../components/CaseTable';
import { CustomerFacts } from '../components/CustomerFacts';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';
import { useMe } from '../session';

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
        </Section>
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
      </div>
      <Section title="All cases, every channel" count={cases.data?.items.length}>
        <CaseTable items={cases.data?.items ?? []} />
      </Section>
    </>
  );
}
