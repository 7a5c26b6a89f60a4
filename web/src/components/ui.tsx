import { useState, type ReactNode } from 'react';
import { ApiError } from '../api';

/** Shows what the server said was wrong, naming the fields; announced to screen readers. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  return (
    <div role="alert" className="error">
      <strong>{problem?.title ?? 'Something went wrong'}</strong>
      {problem?.errors?.length
        ? <ul>{problem.errors.map((e, i) => <li key={i}>{e.message}</li>)}</ul>
        : <p>{(error as Error).message}</p>}
    </div>
  );
}

export function Section({ title, count, children }: { title: string; count?: number; children: ReactNode }) {
  const id = `h-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="card">
      <h2 id={id}>{title}{count !== undefined ? <span className="count"> ({count})</span> : null}</h2>
      {children}
    </section>
  );
}

/** Runs an async action, tracking busy and error state for the form that triggered it. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await fn(...args);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
