import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { post } from '../api';
import { ErrorNote, useAction } from '../components/ui';
import { DemoProgress } from '../components/DemoProgress';

export function SignIn() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction(async () => {
    await post('/auth/sign-in', { email, password });
    await qc.invalidateQueries({ queryKey: ['me'] });
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run();
  };
  return (
    <main id="main" className="signin">
      <DemoProgress />
      <h1>Sign in to Kept</h1>
      <form onSubmit={submit} className="stack">
        <label>Email<input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
        <label>Password<input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <ErrorNote error={action.error} />
        <button type="submit" disabled={action.busy}>{action.busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
