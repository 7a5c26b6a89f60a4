/** Answering a request in one click, or declining it with a reason (hand-over offers, approvals). */
import { useState, type ReactNode } from 'react';
import { ErrorNote, useAction } from './ui';

export function YesOrNo({ yes, onYes, onNo, children }: { yes: string; onYes: () => Promise<unknown>; onNo: (reason: string) => Promise<unknown>; children: ReactNode }) {
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const accept = useAction(onYes);
  const decline = useAction(() => onNo(reason));
  return (
    <li className="offer">
      {children}
      <div className="row">
        <button type="button" onClick={() => void accept.run()} disabled={accept.busy}>{yes}</button>
        <button type="button" className="secondary" onClick={() => setDeclining(!declining)} aria-expanded={declining}>Decline…</button>
      </div>
      {declining ? (
        <form className="row" onSubmit={(e) => { e.preventDefault(); void decline.run(); }}>
          <label className="grow">Reason<input value={reason} onChange={(e) => setReason(e.target.value)} required /></label>
          <button type="submit" disabled={decline.busy}>Decline</button>
        </form>
      ) : null}
      <ErrorNote error={accept.error ?? decline.error} />
    </li>
  );
}
