/** A signing secret, on screen the one time the server hands it out, with a copy button. */
import { useEffect, useId, useRef, useState } from 'react';

export interface ShownSecret { title: string; secret: string; note?: string }

export function SecretOnce({ title, secret, note, onDone }: ShownSecret & { onDone: () => void }) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState('');
  // Focus moves here so that keyboard and screen reader users notice the secret before it is gone.
  useEffect(() => { heading.current?.focus(); }, [secret]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      // Browsers refuse the clipboard without permission or focus: leave the text selected instead.
      field.current?.select();
      setCopied('The browser did not allow copying: the secret is selected, press Ctrl+C (⌘C on a Mac).');
    }
  };
  return (
    <section className="secret" aria-labelledby={id}>
      <h3 id={id} ref={heading} tabIndex={-1}>{title}</h3>
      <p><strong>Copy this secret now: it will not be shown again.</strong> Your receiver needs it to check that requests really come from Kept.</p>
      <div className="row">
        <label className="grow">Signing secret<input ref={field} className="mono" readOnly value={secret} spellCheck={false} onFocus={(e) => e.target.select()} /></label>
        <button type="button" onClick={() => void copy()}>Copy secret</button>
      </div>
      {note ? <p className="meta">{note}</p> : null}
      <p role="status" className="meta">{copied}</p>
      <button type="button" className="secondary" onClick={onDone}>I have stored it, hide the secret</button>
    </section>
  );
}
