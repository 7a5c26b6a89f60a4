/** What matters about this person, shown the same way on the case and on their profile. */
import type { Customer } from '../../../src/api-types';
import { label } from '../format';

export function CustomerFacts({ c }: { c: Customer }) {
  return (
    <>
      <dl className="facts">
        <dt>Address as</dt><dd data-testid="salutation">{c.salutation}</dd>
        <dt>First name is fine</dt><dd>{c.firstNameOk ? 'yes' : 'not yet'}</dd>
        <dt>Prefers</dt><dd>{c.preferredChannel ? label(c.preferredChannel) : '—'}</dd>
        <dt>Language</dt><dd>{c.language ?? '—'}</dd>
        <dt>Segment</dt><dd>{c.segment ?? '—'}</dd>
        <dt>Email</dt><dd>{c.emails.join(', ') || '—'}</dd>
        <dt>Phone</dt><dd>{c.phones.join(', ') || '—'}</dd>
      </dl>
      {c.notes ? <p className="notes">{c.notes}</p> : null}
    </>
  );
}
