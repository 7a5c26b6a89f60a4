/** A customer's data rights, for managers and admins: download everything about them, or erase them on request. */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { post } from '../api';
import { ErrorNote, Section, useAction } from './ui';

export function DataRights({ customerId, erased }: { customerId: number; erased: boolean }) {
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [sure, setSure] = useState(false);
  const erase = useAction(async () => {
    await post(`/customers/${customerId}/erase`, { reason });
    setReason('');
    setSure(false);
    await qc.invalidateQueries({ queryKey: ['customer', customerId] });
    await qc.invalidateQueries({ queryKey: ['cases', 'customer', customerId] });
  });
  return (
    <Section title="Data rights">
      <p>
        <a href={`/api/v1/customers/${customerId}/export`} download>Download everything we hold about this customer</a>
        <span className="meta"> (cases, messages, promises, answers, attachments and the audit trail, one archive)</span>
      </p>
      {erased ? <p role="status">This customer was erased on request. Their cases and scores still count; who they were is gone.</p> : (
        <form className="stack" onSubmit={(e) => { e.preventDefault(); void erase.run(); }}>
          <label>Why (the customer's request, as recorded in the audit trail)<input value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} required /></label>
          <label className="check"><input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} required /> I understand that the name, emails, phones, messages and attachments are erased for good</label>
          <ErrorNote error={erase.error} />
          <button type="submit" disabled={erase.busy || !sure}>Erase this customer</button>
        </form>
      )}
    </Section>
  );
}
