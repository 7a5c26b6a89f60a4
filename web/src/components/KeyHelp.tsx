/** The case screen's keys, opened with ? and closed with Escape. */
import { Fragment, useEffect, useRef } from 'react';

const KEYS: [string, string][] = [
  ['r', 'Reply to the customer'], ['n', 'Internal note'], ['c', 'Log a phone call'], ['h', 'Hand the case over'],
  ['p', 'Make a promise (focuses its text)'], ['g', 'Goodwill decision'], ['m', 'Insert a macro (reply or note)'], ['j', 'Next case in My work'], ['k', 'Previous case in My work'],
  ['/', 'Search (from any screen)'], ['Escape', 'Leave the field you are typing in; close this list'], ['?', 'Show or hide these keys'],
];

export function KeyHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return (
    <div className="card keyhelp" role="dialog" aria-label="Keyboard shortcuts" tabIndex={-1} ref={ref}>
      <h2>Keyboard shortcuts</h2>
      <dl className="facts">{KEYS.map(([k, what]) => <Fragment key={k}><dt><kbd>{k}</kbd></dt><dd>{what}</dd></Fragment>)}</dl>
      <button type="button" className="secondary" onClick={onClose}>Close</button>
    </div>
  );
}
