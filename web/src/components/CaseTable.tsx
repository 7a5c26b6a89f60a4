import { Link } from 'wouter';
import type { CaseListItem } from '../../../src/api-types';
import { label, timeLeft } from '../format';
import { Empty } from './ui';

export function CaseTable({ items, showOwner = true }: { items: CaseListItem[]; showOwner?: boolean }) {
  if (!items.length) return <Empty>No cases match.</Empty>;
  return (
    <table className="table">
      <thead><tr><th scope="col">Case</th><th scope="col">Customer</th>{showOwner ? <th scope="col">Owner</th> : null}<th scope="col">Status</th><th scope="col">Resolution due</th></tr></thead>
      <tbody>{items.map((c) => {
        const left = timeLeft(c.resolutionDueAt);
        const open = c.status !== 'resolved' && c.status !== 'closed';
        return (
          <tr key={c.id}>
            <td><Link href={`/cases/${c.id}`}>#{c.id} {c.subject}</Link>{c.runAround ? <span className="pill broken"> run-around</span> : null}</td>
            <td>{c.customerName}</td>
            {showOwner ? <td>{c.ownerName ?? <em>unowned</em>}</td> : null}
            <td>{label(c.status)}</td>
            <td className={open && left.late ? 'late' : ''}>{open ? (c.clockPausedAt ? 'paused' : left.text) : '—'}</td>
          </tr>
        );
      })}</tbody>
    </table>
  );
}
