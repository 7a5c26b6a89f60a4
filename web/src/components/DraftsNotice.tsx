/** Leaving a case with unsent text keeps it; this says so on every other screen, with the way back. */
import { Link, useLocation } from 'wouter';
import { casesWithDrafts } from './Composer';

export function DraftsNotice() {
  const [location] = useLocation();
  const here = /^\/cases\/(\d+)$/.exec(location)?.[1];
  const ids = casesWithDrafts().filter((id) => String(id) !== here);
  if (!ids.length) return null;
  return (
    <p className="drafts-notice" role="status">
      Unsent text kept on {ids.length === 1 ? 'case' : 'cases'} {ids.slice(0, 5).map((id, i) => <span key={id}>{i ? ', ' : ''}<Link href={`/cases/${id}`}>#{id}</Link></span>)}
      {ids.length > 5 ? ` and ${ids.length - 5} more` : ''}.
    </p>
  );
}
