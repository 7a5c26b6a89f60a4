import { useState } from 'react';
import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiToken } from '../../../src/api-types';
import { api, post } from '../api';
import { when } from '../format';
import { ErrorNote, Section, useAction } from '../components/ui';

export function Account() {
  const qc = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  const change = useAction(async () => {
    await post('/auth/password', { currentPassword: current, newPassword: next });
    setCurrent('');
    setNext('');
    setDone(true);
    await qc.invalidateQueries({ queryKey: ['tokens'] });
  });
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => api<{ items: ApiToken[] }>('/auth/tokens') });
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const create = useAction(async () => {
    const t = await post<{ token: string }>('/auth/tokens', { name });
    setShown(t.token);
    setName('');
    await qc.invalidateQueries({ queryKey: ['tokens'] });
  });
  const revoke = useAction(async (id: number) => {
    await api(`/auth/tokens/${id}`, { method: 'DELETE' });
    await qc.invalidateQueries({ queryKey: ['tokens'] });
  });
  return (
    <>
      <h1>Account</h1>
      <p><Link href="/macros">Macros: mine and my team&apos;s</Link></p>
      <div className="grid">
        <Section title="Change password">
          <form className="stack" onSubmit={(e) => { e.preventDefault(); setDone(false); void change.run(); }}>
            <label>Current password<input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required /></label>
            <label>New password (at least 12 characters)<input type="password" autoComplete="new-password" minLength={12} value={next} onChange={(e) => setNext(e.target.value)} required /></label>
            <ErrorNote error={change.error} />
            {done ? <p role="status" className="ok">Password changed. Your other sessions and all API tokens have been signed out.</p> : null}
            <button type="submit" disabled={change.busy}>Change password</button>
          </form>
        </Section>
        <Section title="Personal API tokens">
          <form className="row" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
            <label className="grow">Name<input value={name} onChange={(e) => setName(e.target.value)} required /></label>
            <button type="submit">Create token</button>
          </form>
          {shown ? <p role="status">Copy it now, it is shown once: <code>{shown}</code></p> : null}
          <ErrorNote error={create.error ?? revoke.error} />
          <ul className="list">{tokens.data?.items.map((t) => (
            <li key={t.id}>{t.name} <span className="meta">created {when(t.createdAt)}{t.revokedAt ? ` · revoked ${when(t.revokedAt)}` : ''}</span>
              {!t.revokedAt ? <button type="button" className="link" onClick={() => void revoke.run(t.id)}>Revoke</button> : null}</li>
          ))}</ul>
        </Section>
      </div>
    </>
  );
}
