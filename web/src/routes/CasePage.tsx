/**
 * The case: the customer's whole story on one screen. Timeline, the customer's other cases,
 * the profile, the expectation told to the customer and the time left, and the actions.
 * The conversation reads top to bottom, oldest first, and the composer follows it.
 * Keyboard: r reply · n note · c call · h hand over · p promise · g goodwill · j / k next / previous
 * case in My work · Escape leaves a field · ? lists the keys.
 */
import { Fragment, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CaseEmail, CaseListPage, CaseView, Commitment, Department, MyWork, Settings, Staff, SurveyAnswer, Team, TimelineEntry } from '../../../src/api-types';
import { api, patch, post } from '../api';
import { useMe } from '../session';
import { YesOrNo } from '../components/YesOrNo';
import { KeyHelp } from '../components/KeyHelp';
import { Presence } from '../components/Presence';
import { inZone, label, timeLeft, when } from '../format';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';
import { Composer, TABS, type ComposerMode } from '../components/Composer';
import { Promises } from '../components/Promises';
import { Recoveries } from '../components/Recoveries';
import { CustomerFacts } from '../components/CustomerFacts';
import { SendSurvey } from '../components/SendSurvey';

const STATUSES = ['open', 'waiting_on_customer', 'waiting_on_us', 'resolved', 'closed'] as const;

export function CasePage({ id }: { id: number }) {
  const c = useQuery({ queryKey: ['case', id], queryFn: () => api<CaseView>(`/cases/${id}`) });
  const timeline = useQuery({ queryKey: ['case', id, 'timeline'], queryFn: () => api<{ items: TimelineEntry[] }>(`/cases/${id}/timeline`) });
  const promises = useQuery({ queryKey: ['case', id, 'commitments'], queryFn: () => api<{ items: Commitment[] }>(`/commitments?case=${id}&limit=200`) });
  const staff = useQuery({ queryKey: ['staff'], queryFn: () => api<{ items: Staff[] }>('/staff?active=true'), staleTime: 300_000 });
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => api<Settings>('/settings'), staleTime: 300_000 });
  const me = useMe();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const composerRef = useRef<HTMLDivElement>(null);
  const [, navigate] = useLocation();
  const qc = useQueryClient();

  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const inField = /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable;
      if (e.key === 'Escape') {
        if (inField) t.blur(); else setHelp(false);
        return;
      }
      if (inField) return;
      const modes: Record<string, ComposerMode> = Object.fromEntries(TABS.map((x) => [x.key, x.mode]));
      if (modes[e.key]) {
        e.preventDefault();
        setMode(modes[e.key]!);
        // The field the user writes in first: the promise's text, the hand-over's receiver, the reply.
        setTimeout(() => composerRef.current?.querySelector<HTMLElement>('[data-first]')?.focus(), 0);
      } else if (e.key === 'j' || e.key === 'k') {
        const work = qc.getQueryData<MyWork>(['my-work']);
        const ids = work?.cases.map((x) => x.id) ?? [];
        if (!ids.length) return;
        const at = ids.indexOf(id);
        const next = e.key === 'j' ? ids[(at + 1) % ids.length] : ids[(at <= 0 ? ids.length : at) - 1];
        if (next && next !== id) navigate(`/cases/${next}`);
      } else if (e.key === 'm') {
        e.preventDefault();
        composerRef.current?.querySelector<HTMLElement>('[data-macro]')?.focus();
      } else if (e.key === '?') {
        setHelp((h) => !h);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [id, navigate, qc]);

  if (c.error) return <ErrorNote error={c.error} />;
  if (!c.data) return <p className="loading">Loading case…</p>;
  const k = c.data;
  const staffName = (sid: number | null) => (sid === k.ownerId && k.ownerName) || staff.data?.items.find((s) => s.id === sid)?.name || (sid ? 'a colleague' : 'Kept');
  return (
    <div className="case">
      <div className="case-head">
        <h1>#{k.id} {k.subject}</h1>
        <p className="meta">
          <span data-testid="owner">{k.ownerId ? `Owned by ${k.ownerName ?? 'a colleague'}` : 'Unowned — in the queue'}</span>
          {k.teamName ? ` · ${k.teamName}` : ''}
          {' · '}{label(k.channel)} · {k.type} · opened {when(k.openedAt)}
          {k.runAround ? <strong className="late"> · passed on {k.handoverCount} times (run-around)</strong> : null}
          {k.customerViewedReplyAt ? <span data-testid="viewed-reply"> · customer viewed the latest reply {when(k.customerViewedReplyAt)}</span> : null}
          {' · '}<button type="button" className="link" onClick={() => setHelp(true)}>Keys <kbd aria-hidden="true">?</kbd></button>
        </p>
        <Presence caseId={id} />
        <StatusBar c={k} />
        <PendingOffer c={k} />
      </div>
      {help ? <KeyHelp onClose={() => setHelp(false)} /> : null}
      <div className="case-grid">
        <div className="main-col">
          <Expectation c={k} timeZone={settings.data?.timeZone} />
          <SurveyAnswers caseId={id} />
          <Section title="Conversation and events">
            <Timeline caseId={id} entries={timeline.data?.items ?? []} staffName={staffName} customerName={k.customer.name} />
          </Section>
          <div ref={composerRef}>
            <Composer key={k.id} c={k} mode={mode} setMode={setMode} staff={staff.data?.items ?? []} timeline={timeline.data?.items ?? []} meId={me.data?.id ?? 0} />
          </div>
          <Section title="Promises on this case" count={promises.data?.items.filter((p) => p.kind === 'promise').length}>
            <Promises caseId={id} items={promises.data?.items ?? []} />
          </Section>
          <Recoveries caseId={id} />
        </div>
        <aside className="side-col" aria-label="Customer">
          <Profile c={k} />
          <OtherCases customerId={k.customerId} current={k.id} />
          <Details c={k} />
        </aside>
      </div>
    </div>
  );
}

/** A hand-over waiting on this case: the receiver accepts or declines it here; the offerer may withdraw it. */
function PendingOffer({ c }: { c: CaseView }) {
  const me = useMe().data;
  const qc = useQueryClient();
  const o = c.pendingOffer;
  if (!o || !me) return null;
  const done = () => Promise.all([qc.invalidateQueries({ queryKey: ['case', c.id] }), qc.invalidateQueries({ queryKey: ['my-work'] }), qc.invalidateQueries({ queryKey: ['notifications'] })]);
  const forMe = o.toStaffId === me.id || (!!o.toTeamId && o.toTeamId === me.teamId);
  const to = o.toStaffName ?? `the ${o.toTeamName ?? ''} team`;
  const text = <><strong>Hand-over offered</strong> by {o.offeredBy} to {forMe ? 'you' : to} · expires {timeLeft(o.expiresAt).text}<blockquote>{o.note}</blockquote></>;
  if (forMe) {
    return (
      <ul className="list pending-offer" aria-label="Hand-over offered to you">
        <YesOrNo yes="Accept" onYes={async () => { await post(`/handovers/${o.id}/accept`); await done(); }} onNo={async (reason) => { await post(`/handovers/${o.id}/decline`, { reason }); await done(); }}>{text}</YesOrNo>
      </ul>
    );
  }
  return <div className="pending-offer card" role="note">{text}{me.id === c.ownerId ? <WithdrawOffer id={o.id} done={done} /> : null}</div>;
}

function WithdrawOffer({ id, done }: { id: number; done: () => Promise<unknown> }) {
  const w = useAction(async () => { await post(`/handovers/${id}/withdraw`); await done(); });
  return <><button type="button" className="secondary" onClick={() => void w.run()} disabled={w.busy}>Withdraw the offer</button><ErrorNote error={w.error} /></>;
}

/** Survey answers about this case or that opened it (a detractor's recovery case shows what they said). */
export function SurveyAnswers({ caseId, customerId }: { caseId?: number; customerId?: number }) {
  const path = caseId ? `/cases/${caseId}/survey-answers` : `/customers/${customerId}/survey-answers`;
  const q = useQuery({ queryKey: caseId ? ['case', caseId, 'survey-answers'] : ['customer', customerId, 'survey-answers'], queryFn: () => api<{ items: SurveyAnswer[] }>(path) });
  const items = q.data?.items ?? [];
  if (!items.length) return customerId ? <Section title="Survey answers"><Empty>No answers yet.</Empty></Section> : null;
  return (
    <Section title="Survey answers" count={items.length}>
      <ul className="list">{items.map((a) => (
        <li key={a.id} className="answer">
          <div><strong>{a.surveyName}</strong>{a.category ? <span className={`pill ${a.category === 'detractor' ? 'broken' : a.category === 'promoter' ? 'kept' : ''}`}>{a.category}</span> : null} · <time dateTime={a.completedAt ?? undefined}>{when(a.completedAt)}</time></div>
          <dl className="facts">
            {a.nps !== null ? <><dt>Would recommend (0–10)</dt><dd>{a.nps}</dd></> : null}
            {a.ces !== null ? <><dt>Easy to handle (1–7)</dt><dd>{a.ces}</dd></> : null}
            {a.expectation ? <><dt>Against expectation</dt><dd>{a.expectation}</dd></> : null}
            {a.csat !== null ? <><dt>Satisfaction (1–5)</dt><dd>{a.csat}</dd></> : null}
            {a.stay !== null ? <><dt>Likely to stay (0–10)</dt><dd>{a.stay}</dd></> : null}
            {Object.entries(a.answers as Record<string, unknown>).filter(([kk, v]) => ['feeling', 'remember', 'ease'].includes(kk) && v !== null && v !== '').map(([kk, v]) => <Fragment key={kk}><dt>{label(kk)}</dt><dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd></Fragment>)}
          </dl>
          {a.comment ? <blockquote>{a.comment}</blockquote> : <p className="meta">No comment.</p>}
          {a.caseId && a.caseId !== caseId ? <div className="meta">About case <Link href={`/cases/${a.caseId}`}>#{a.caseId} {a.caseSubject}</Link></div> : null}
          {a.followUpOutcome ? <div className="meta">Follow-up: {a.followUpOutcome}</div> : null}
        </li>
      ))}</ul>
    </Section>
  );
}

function StatusBar({ c }: { c: CaseView }) {
  const qc = useQueryClient();
  const action = useAction(async (body: object) => {
    await patch(`/cases/${c.id}`, body);
    await qc.invalidateQueries({ queryKey: ['case', c.id] });
  });
  return (
    <div className="row status-bar">
      <label>Status
        <select value={c.status === 'new' ? '' : c.status} onChange={(e) => void action.run({ status: e.target.value })}>
          {c.status === 'new' ? <option value="">new</option> : null}
          {STATUSES.map((s) => <option key={s} value={s}>{label(s)}</option>)}
        </select>
      </label>
      <label>Priority
        <select value={c.priority} onChange={(e) => void action.run({ priority: e.target.value })}>
          {['low', 'normal', 'high', 'urgent'].map((p) => <option key={p}>{p}</option>)}
        </select>
      </label>
      <ErrorNote error={action.error} />
    </div>
  );
}

function Expectation({ c, timeZone }: { c: CaseView; timeZone?: string }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  const row = (title: string, due: string | null, met: string | null) => {
    const left = timeLeft(due);
    return (
      <div className="expect">
        <div className="label">{title}</div>
        <div className="value">{when(due)}</div>
        <div className={met ? 'ok' : c.clockPausedAt ? 'paused' : left.late ? 'late' : 'soon'}>
          {met ? `done ${when(met)}` : c.clockPausedAt ? 'clock paused: waiting on customer' : due ? left.text : 'no standard'}
        </div>
        {due && timeZone ? <div className="meta">business clock: {inZone(due, timeZone)} {timeZone}</div> : null}
      </div>
    );
  };
  return (
    <section className="card expectation" aria-label="What the customer was told">
      {row('First response expected', c.firstResponseDueAt, c.firstRespondedAt)}
      {row('Resolution expected', c.resolutionDueAt, c.resolvedAt)}
    </section>
  );
}

function Timeline({ caseId, entries, staffName, customerName }: { caseId: number; entries: TimelineEntry[]; staffName: (id: number | null) => string; customerName: string }) {
  // Whether each reply reached the customer's mailbox: queued, sent, or failed after retries.
  const emails = useQuery({ queryKey: ['case', caseId, 'emails'], queryFn: () => api<{ items: CaseEmail[] }>(`/cases/${caseId}/emails`) });
  const delivery = new Map((emails.data?.items ?? []).filter((m) => m.entryId).map((m) => [m.entryId!, m]));
  if (!entries.length) return <Empty>Nothing yet.</Empty>;
  return (
    <ol className="timeline">
      {entries.map((e) => (
        <li key={e.id} className={`entry ${e.kind}`}>
          <div className="meta"><strong>{label(e.kind)}</strong> · {e.authorName ?? (e.kind === 'inbound_message' ? customerName : 'Kept')} · <time dateTime={e.createdAt}>{when(e.createdAt)}</time></div>
          {e.body ? <div className="body">{e.body}</div> : null}
          <EventDetail entry={e} staffName={staffName} />
          {delivery.get(e.id) ? <div className={`detail ${delivery.get(e.id)!.status === 'failed' ? 'late' : ''}`}>email to {delivery.get(e.id)!.to}: {delivery.get(e.id)!.status}{delivery.get(e.id)!.lastError ? ` (${delivery.get(e.id)!.lastError})` : ''}</div> : null}
        </li>
      ))}
    </ol>
  );
}

const FIELD_NAMES: Record<string, string> = { status: 'status', priority: 'priority', ownerId: 'owner', teamId: 'team', tags: 'tags', touchpoint: 'touchpoint',
  causedByDepartmentId: 'caused by department', subject: 'subject', type: 'type', clockPausedAt: 'clock paused', resolvedAt: 'resolved', closedAt: 'closed',
  firstResponseDueAt: 'first response due', resolutionDueAt: 'resolution due', firstRespondedAt: 'first responded' };

/** A changed value as a person reads it: times in the viewer's zone, people by name, lists joined. */
function shown(field: string, v: unknown, staffName: (id: number | null) => string): string {
  if (v === null || v === undefined || v === '') return field === 'clockPausedAt' ? 'running' : 'none';
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return when(v);
  if (field === 'ownerId') return staffName(v as number);
  if (Array.isArray(v)) return v.join(', ') || 'none';
  return typeof v === 'string' ? label(v) : String(v);
}

function EventDetail({ entry, staffName }: { entry: TimelineEntry; staffName: (id: number | null) => string }) {
  const d = entry.data as Record<string, unknown>;
  switch (entry.kind) {
    case 'handover_offered': return <div className="detail">offered to {d.toStaffId ? staffName(d.toStaffId as number) : `team #${String(d.toTeamId)}`}; expires {when(d.expiresAt as string)}</div>;
    case 'handover_accepted': return <div className="detail">accepted after {Math.round((d.secondsToAccept as number) / 60)} min</div>;
    case 'case_opened': return <div className="detail">{d.firstResponseDueAt ? `customer told: first response by ${when(d.firstResponseDueAt as string)}, resolution by ${when(d.resolutionDueAt as string)}` : 'no service standard applies'}</div>;
    case 'commitment_made': return <div className="detail">due {when(d.dueAt as string)} · owner {staffName(d.ownerId as number)}</div>;
    case 'commitment_renegotiated': return <div className="detail">moved to {when(d.newDueAt as string)} · customer told: {String(d.customerToldHow)}</div>;
    case 'inbound_message': case 'automatic_message': case 'outbound_reply': {
      const email = d.email as { from?: string; quoted?: string | null; automatic?: string | null } | undefined;
      const files = d.attachments as { stored: { id: number; filename: string; contentType: string; size: number }[]; refused: { filename: string; reason: string }[] } | undefined;
      if (!email && !files) return d.via ? <div className="detail">via {String(d.via).replace('_', ' ')}</div> : null;
      return (
        <div className="detail">
          {email?.from ? <div>by email from {email.from}{email.automatic ? ` · automatic (${email.automatic})` : ''}</div> : null}
          {files?.stored.map((f) => <div key={f.id}><a href={`/api/v1/attachments/${f.id}`}>{f.filename}</a> ({f.contentType}, {Math.ceil(f.size / 1024)} kB)</div>)}
          {files?.refused.map((f) => <div key={f.filename}>{f.filename} not stored: {f.reason}</div>)}
          {email?.quoted ? <details><summary>Show quoted history</summary><div className="body">{email.quoted}</div></details> : null}
        </div>
      );
    }
    case 'decision_made': case 'decision_requested':
      return <div className="detail">{String(d.kind)} {Number(d.amount).toFixed(2)} {String(d.currency)}{entry.kind === 'decision_requested' ? ` · above the limit of ${Number(d.limit).toFixed(2)}, asked ${staffName(d.approverId as number)}` : d.rule ? ` · benefit of the doubt: ${String(d.rule)}` : ' · within authority'}</div>;
    case 'recovery_opened': return <div className="detail">{label(String(d.source))} · fix by {when(d.dueAt as string)}</div>;
    case 'email_failed': return <div className="detail late">to {String(d.to)} after {String(d.attempts)} attempts</div>;
    case 'phone_call': return <div className="detail">{String(d.direction ?? '')} call{d.durationSeconds ? `, ${Math.round((d.durationSeconds as number) / 60)} min` : ''}{d.public ? ' · shown to the customer' : ''}</div>;
    case 'internal_note': return d.public ? <div className="detail">public: shown to the customer in the portal</div> : null;
    case 'status_changed': case 'case_updated': {
      const after = d.after as Record<string, unknown> | undefined;
      const before = (d.before ?? {}) as Record<string, unknown>;
      return after ? <div className="detail">{Object.entries(after).map(([k2, v]) => `${FIELD_NAMES[k2] ?? label(k2)}: ${k2 in before ? `${shown(k2, before[k2], staffName)} → ` : ''}${shown(k2, v, staffName)}`).join(' · ')}</div> : null;
    }
    default: return null;
  }
}

function Profile({ c }: { c: CaseView }) {
  const p = c.customer;
  return (
    <Section title="Customer">
      <p className="salutation"><Link href={`/customers/${p.id}`}>{p.name}</Link></p>
      <CustomerFacts c={p} />
      <SendSurvey customerId={p.id} caseId={c.id} />
    </Section>
  );
}

function OtherCases({ customerId, current }: { customerId: number; current: number }) {
  const q = useQuery({ queryKey: ['cases', 'customer', customerId], queryFn: () => api<CaseListPage>(`/cases?customer=${customerId}&limit=20`) });
  const others = q.data?.items.filter((x) => x.id !== current) ?? [];
  return (
    <Section title="Their other cases" count={others.length}>
      {others.length ? <ul className="list">{others.map((o) => <li key={o.id}><Link href={`/cases/${o.id}`}>#{o.id} {o.subject}</Link><div className="meta">{label(o.channel)} · {label(o.status)} · {when(o.openedAt)}</div></li>)}</ul> : <Empty>First contact.</Empty>}
    </Section>
  );
}

function Details({ c }: { c: CaseView }) {
  const qc = useQueryClient();
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments'), staleTime: 300_000 });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams'), staleTime: 300_000 });
  const [tags, setTags] = useState(c.tags.join(', '));
  const [touchpoint, setTouchpoint] = useState(c.touchpoint ?? '');
  const [dept, setDept] = useState(c.causedByDepartmentId ? String(c.causedByDepartmentId) : '');
  const [team, setTeam] = useState(c.teamId ? String(c.teamId) : '');
  const save = useAction(async () => {
    await patch(`/cases/${c.id}`, {
      tags: tags.split(',').map((t) => t.trim()).filter(Boolean),
      touchpoint: touchpoint.trim() || null,
      causedByDepartmentId: dept ? Number(dept) : null,
      teamId: team ? Number(team) : null,
    });
    await qc.invalidateQueries({ queryKey: ['case', c.id] });
  });
  return (
    <Section title="Details">
      <form className="stack" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <label>Tags (comma separated)<input value={tags} onChange={(e) => setTags(e.target.value)} /></label>
        <label>Touchpoint<input value={touchpoint} onChange={(e) => setTouchpoint(e.target.value)} placeholder="e.g. deliver" /></label>
        <label>Department that caused it
          <select value={dept} onChange={(e) => setDept(e.target.value)}>
            <option value="">— none —</option>
            {depts.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </label>
        <label>Team
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">— none —</option>
            {teams.data?.items.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </select>
        </label>
        <ErrorNote error={save.error} />
        <button type="submit" disabled={save.busy}>Save details</button>
      </form>
    </Section>
  );
}
