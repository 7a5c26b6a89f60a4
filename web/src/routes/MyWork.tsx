import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MyWork as MyWorkData, Notification } from '../../../src/api-types';
import { api, post } from '../api';
import { label, timeLeft, when, withLocalTimes } from '../format';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';
import { YesOrNo } from '../components/YesOrNo';

/** What needs this person's answer or action now: the number on the nav badge, and the one My work states. */
export function attentionCount(c: MyWorkData['counts']): number {
  return c.offers + c.approvals + c.promisesOverdue + c.atRisk + c.recoveries;
}

export function MyWork() {
  const work = useQuery({ queryKey: ['my-work'], queryFn: () => api<MyWorkData>('/my-work'), refetchInterval: 60_000 });
  if (work.error) return <ErrorNote error={work.error} />;
  if (!work.data) return <p className="loading">Loading your work…</p>;
  const w = work.data;
  return (
    <>
      <h1>My work</h1>
      <p className="attention" data-testid="attention">
        {attentionCount(w.counts) ? <><strong>{attentionCount(w.counts)} need your attention:</strong> {[
          [w.counts.offers, 'hand-overs offered'], [w.counts.approvals, 'approvals'], [w.counts.promisesOverdue, 'promises overdue or broken'],
          [w.counts.atRisk, 'standards at risk'], [w.counts.recoveries, 'recoveries on the clock'],
        ].filter(([n]) => n).map(([n, what]) => `${n} ${what}`).join(' · ')}</> : 'Nothing needs your attention right now.'}
      </p>
      <Alerts />
      <div className="grid">
        <Section title="Hand-overs offered to me" count={w.offers.length}>
          {w.offers.length ? <ul className="list">{w.offers.map((o) => <Offer key={o.id} offer={o} />)}</ul> : <Empty>No offers waiting.</Empty>}
        </Section>
        {w.approvals.length ? (
          <Section title="Approvals waiting for me" count={w.approvals.length}>
            <ul className="list">{w.approvals.map((a) => <Approval key={a.id} a={a} />)}</ul>
          </Section>
        ) : null}
        <Section title="Recoveries on the clock" count={w.recoveries.length}>
          {w.recoveries.length ? (
            <ul className="list">{w.recoveries.map((r) => {
              const left = timeLeft(r.dueAt);
              return (
                <li key={r.id}>
                  <Link href={`/cases/${r.caseId}`}>{r.subject}</Link> <span className={left.late ? 'late' : 'soon'}>fix {left.text}</span>
                  <div className="meta">{label(r.source)}{r.apologyAt ? ' · apology made' : ' · apology still to make'}</div>
                </li>
              );
            })}</ul>
          ) : <Empty>No recoveries open.</Empty>}
        </Section>
        <Section title="Standards at risk" count={w.atRisk.length}>
          {w.atRisk.length ? (
            <ul className="list">{w.atRisk.map((c) => {
              const first = !c.firstRespondedAt && !!c.firstResponseDueAt;
              const left = timeLeft(first ? c.firstResponseDueAt : c.resolutionDueAt);
              return <li key={c.id}><Link href={`/cases/${c.id}`}>{c.subject}</Link> <span className={left.late ? 'late' : 'soon'}>{first ? 'first response' : 'resolution'} {left.text}</span></li>;
            })}</ul>
          ) : <Empty>Nothing at risk.</Empty>}
        </Section>
        <Section title="My promises due in 24 hours" count={w.promises.length}>
          {w.promises.length ? (
            <ul className="list">{w.promises.map((p) => {
              const left = timeLeft(p.dueAt);
              return (
                <li key={p.id}>
                  <Link href={`/cases/${p.caseId}`}>{p.text}</Link>
                  <span className={p.status === 'broken' ? 'late' : left.late ? 'late' : 'soon'}> {p.status === 'broken' ? `broken ${when(p.brokenAt)}` : `due ${left.text}`}</span>
                  <div className="meta">{p.subject}</div>
                </li>
              );
            })}</ul>
          ) : <Empty>No promises falling due.</Empty>}
        </Section>
      </div>
      <Section title="Cases I own, most urgent first" count={w.cases.length}>
        {w.cases.length ? (
          <table className="table">
            <thead><tr><th scope="col">Case</th><th scope="col">Customer</th><th scope="col">Priority</th><th scope="col">Status</th><th scope="col">Resolution due</th></tr></thead>
            <tbody>{w.cases.map((c) => {
              const left = timeLeft(c.resolutionDueAt);
              return (
                <tr key={c.id}>
                  <td><Link href={`/cases/${c.id}`}>#{c.id} {c.subject}</Link></td>
                  <td>{c.customerName}</td>
                  <td><span className={`pill ${c.priority}`}>{c.priority}</span></td>
                  <td>{label(c.status)}</td>
                  <td className={left.late ? 'late' : ''}>{c.clockPausedAt ? 'paused' : left.text}</td>
                </tr>
              );
            })}</tbody>
          </table>
        ) : <Empty>You own no open cases.</Empty>}
      </Section>
    </>
  );
}

/** What happened to me since I last looked: offers answered or expired, approvals decided, promises due. */
function Alerts() {
  const qc = useQueryClient();
  const alerts = useQuery({ queryKey: ['notifications'], queryFn: () => api<{ items: Notification[] }>('/notifications?unread=true&limit=20') });
  const items = alerts.data?.items ?? [];
  const readAll = useAction(async () => {
    await post('/notifications/read-all', { upToId: items[0]!.id });
    await qc.invalidateQueries({ queryKey: ['notifications'] });
  });
  if (!items.length) return null;
  const read = async (id: number) => {
    await post(`/notifications/${id}/read`);
    await qc.invalidateQueries({ queryKey: ['notifications'] });
  };
  return (
    <Section title="New for me" count={items.length}>
      <ul className="list">{items.map((n) => (
        <li key={n.id} className="row">
          <span className="grow">{n.caseId ? <Link href={`/cases/${n.caseId}`}>{withLocalTimes(n.message)}</Link> : withLocalTimes(n.message)} <span className="meta">· {when(n.createdAt)}</span></span>
          <button type="button" className="link" onClick={() => void read(n.id)}>Dismiss<span className="sr"> {withLocalTimes(n.message)}</span></button>
        </li>
      ))}</ul>
      <ErrorNote error={readAll.error} />
      <button type="button" className="secondary" onClick={() => void readAll.run()} disabled={readAll.busy}>Mark all read</button>
    </Section>
  );
}

function Approval({ a }: { a: MyWorkData['approvals'][number] }) {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: ['my-work'] });
  return (
    <YesOrNo yes="Approve" onYes={async () => { await post(`/decisions/${a.id}/approve`); await done(); }} onNo={async (reason) => { await post(`/decisions/${a.id}/decline`, { reason }); await done(); }}>
      <Link href={`/cases/${a.caseId}`}>{a.kind} of {Number(a.amount).toFixed(2)} {a.currency}: {a.subject}</Link>
      <div className="meta">asked by {a.requestedBy} (their limit {Number(a.limitAmount).toFixed(2)}) · answer {timeLeft(a.approvalDueAt).text}</div>
      <blockquote>{a.reason}</blockquote>
    </YesOrNo>
  );
}

function Offer({ offer }: { offer: MyWorkData['offers'][number] }) {
  const qc = useQueryClient();
  const done = () => Promise.all([qc.invalidateQueries({ queryKey: ['my-work'] }), qc.invalidateQueries({ queryKey: ['case', offer.caseId] })]);
  return (
    <YesOrNo yes="Accept" onYes={async () => { await post(`/handovers/${offer.id}/accept`); await done(); }} onNo={async (reason) => { await post(`/handovers/${offer.id}/decline`, { reason }); await done(); }}>
      <Link href={`/cases/${offer.caseId}`}>#{offer.caseId} {offer.subject}</Link>
      <div className="meta">from {offer.offeredBy}{offer.toTeamId ? ' to your team' : ''} · expires {timeLeft(offer.expiresAt).text} · {offer.customerName}</div>
      <blockquote>{offer.note}</blockquote>
    </YesOrNo>
  );
}
