/** The search box in the top bar: cases (subject, message text) and customers; "/" jumps to it from anywhere. */
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';

export function GlobalSearch() {
  const [, navigate] = useLocation();
  const [q, setQ] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable) return;
      e.preventDefault();
      ref.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <form role="search" className="global-search" onSubmit={(e) => { e.preventDefault(); if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`); }}>
      <label><span className="sr">Search cases, customers and messages</span>
        <input ref={ref} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search  /" maxLength={200} />
      </label>
    </form>
  );
}
