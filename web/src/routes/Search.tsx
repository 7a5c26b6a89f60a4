/** Results of the top bar's search: matching customers, and cases by subject, customer or message words. */
import { Link, useSearch } from 'wouter';
import { useQuery } from '@tanstack/react-query';
import type { CaseListPage, CustomerPage } from '../../../src/api-types';
import { api } from '../api';
import { CaseTable } from '../components/CaseTable';
import { Empty, ErrorNote, Section } from '../components/ui';

export function Search() {
  const q = new URLSearchParams(useSearch()).get('q') ?? '';
  const cases = useQuery({ queryKey: ['cases', 'search', q], queryFn: () => api<CaseListPage>(`/cases?limit=50&q=${encodeURIComponent(q)}`), enabled: !!q });
  const customers = useQuery({ queryKey: ['customers', 'search', q], queryFn: () => api<CustomerPage>(`/customers?limit=20&q=${encodeURIComponent(q)}`), enabled: !!q });
  return (
    <>
      <h1>Search: {q}</h1>
      <ErrorNote error={cases.error ?? customers.error} />
      <Section title="Customers" count={customers.data?.items.length}>
        {customers.isPending ? <p className="loading">Searching…</p> : customers.data?.items.length
          ? <ul className="list">{customers.data.items.map((c) => <li key={c.id}><Link href={`/customers/${c.id}`}>{c.name}</Link> <span className="meta">{c.salutation}{c.segment ? ` · ${c.segment}` : ''}</span></li>)}</ul>
          : <Empty>No customer matches.</Empty>}
      </Section>
      <Section title="Cases" count={cases.data?.items.length}>
        {cases.isPending ? <p className="loading">Searching…</p> : <CaseTable items={cases.data?.items ?? []} />}
      </Section>
    </>
  );
}
