/** Settings (admin): the organisation, its hours and holidays, departments, teams, staff, standards, mail, webhooks. */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { AuthorityLimit, Department, Holiday, PolicyRule, Role, Settings as SettingsData, Staff, Standard, Team } from '../../../src/api-types';
import { api, patch, post } from '../api';
import { ErrorNote, Section, useAction } from '../components/ui';
import { MailSettings } from './SettingsMail';
import { SurveySettings } from './SettingsSurveys';
import { WebhookSettings } from './SettingsWebhooks';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const ROLES: Role[] = ['agent', 'lead', 'manager', 'admin', 'executive'];
const CHANNELS = ['email', 'phone', 'chat', 'web', 'in_person', 'other'];

const PAGES: { page: string; text: string }[] = [
  { page: '', text: 'Organisation' }, { page: 'people', text: 'People and teams' }, { page: 'standards', text: 'Service standards' },
  { page: 'authority', text: 'Authority' }, { page: 'surveys', text: 'Surveys' }, { page: 'mail', text: 'Email' }, { page: 'webhooks', text: 'Webhooks' },
];

/** Settings, one page per subject, with a menu of the pages. */
export function Settings({ page = '' }: { page?: string }) {
  return (
    <>
      <h1>Settings</h1>
      <nav aria-label="Settings pages" className="views">
        {PAGES.map((p) => <Link key={p.page} href={`/settings${p.page ? `/${p.page}` : ''}`} className={p.page === page ? 'tab active' : 'tab'} aria-current={p.page === page ? 'page' : undefined}>{p.text}</Link>)}
      </nav>
      {page === '' ? <div className="grid"><Organisation /><Holidays /></div> : null}
      {page === 'people' ? <><div className="grid"><Departments /><Teams /></div><StaffList /></> : null}
      {page === 'standards' ? <Standards /> : null}
      {page === 'authority' ? <Authority /> : null}
      {page === 'surveys' ? <SurveySettings /> : null}
      {page === 'mail' ? <MailSettings /> : null}
      {page === 'webhooks' ? <WebhookSettings /> : null}
      {!PAGES.some((p) => p.page === page) ? <p>No such settings page. <Link href="/settings">Back to Settings</Link></p> : null}
    </>
  );
}

/** Standards are kept in business minutes; people think in hours and business days (the organisation's longest opening day). */
type Unit = 'min' | 'h' | 'd';
function toMinutes(n: number, unit: Unit, dayMinutes: number) { return Math.round(unit === 'h' ? n * 60 : unit === 'd' ? n * dayMinutes : n); }
function readable(min: number, dayMinutes: number) {
  if (min % dayMinutes === 0 && min >= dayMinutes) return `${min / dayMinutes} business day${min === dayMinutes ? '' : 's'}`;
  if (min % 60 === 0) return `${min / 60} h`;
  return min > 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min} min`;
}
function useDayMinutes(): number {
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => api<SettingsData>('/settings'), staleTime: 300_000 });
  const days = Object.values(settings.data?.businessHours ?? {}) as [string, string][][];
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const longest = Math.max(0, ...days.map((ranges) => (ranges ?? []).reduce((a, [open, close]) => a + m(close) - m(open), 0)));
  return longest > 0 ? longest : 480;
}

function Organisation() {
  const qc = useQueryClient();
  const s = useQuery({ queryKey: ['settings'], queryFn: () => api<SettingsData>('/settings') });
  const [form, setForm] = useState<SettingsData | null>(null);
  useEffect(() => { if (s.data) setForm(s.data); }, [s.data]);
  const save = useAction(async () => { await patch('/settings', form); await qc.invalidateQueries({ queryKey: ['settings'] }); });
  if (!form) return null;
  const hours = (d: (typeof DAYS)[number]) => form.businessHours[d]?.[0] ?? null;
  const setHours = (d: (typeof DAYS)[number], span: [string, string] | null) =>
    setForm({ ...form, businessHours: { ...form.businessHours, [d]: span ? [span] : [] } });
  return (
    <Section title="Organisation and business hours">
      <form className="stack" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <label>Name<input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <label>Time zone (IANA)<input value={form.timeZone} onChange={(e) => setForm({ ...form, timeZone: e.target.value })} required /></label>
        <label>Hand-over offers expire after (minutes)<input type="number" min={1} value={form.handoverExpiryMinutes} onChange={(e) => setForm({ ...form, handoverExpiryMinutes: Number(e.target.value) })} /></label>
        <label>Warn promise owners before due (minutes)<input type="number" min={0} value={form.commitmentWarningMinutes} onChange={(e) => setForm({ ...form, commitmentWarningMinutes: Number(e.target.value) })} /></label>
        <fieldset>
          <legend>Opening hours</legend>
          {DAYS.map((d) => {
            const span = hours(d);
            return (
              <div className="row day" key={d}>
                <label className="check"><input type="checkbox" checked={!!span} onChange={(e) => setHours(d, e.target.checked ? ['09:00', '17:00'] : null)} /> {d}</label>
                {span ? <>
                  <label>opens<input type="time" value={span[0]} onChange={(e) => setHours(d, [e.target.value, span[1]])} /></label>
                  <label>closes<input type="time" value={span[1]} onChange={(e) => setHours(d, [span[0], e.target.value])} /></label>
                </> : <span className="meta">closed</span>}
              </div>
            );
          })}
        </fieldset>
        <ErrorNote error={save.error} />
        <button type="submit" disabled={save.busy}>Save</button>
      </form>
    </Section>
  );
}

function Holidays() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['holidays'], queryFn: () => api<{ items: Holiday[] }>('/holidays') });
  const [day, setDay] = useState('');
  const [name, setName] = useState('');
  const add = useAction(async () => { await api(`/holidays/${day}`, { method: 'PUT', body: { name } }); setName(''); await qc.invalidateQueries({ queryKey: ['holidays'] }); });
  const remove = useAction(async (d: string) => { await api(`/holidays/${d}`, { method: 'DELETE' }); await qc.invalidateQueries({ queryKey: ['holidays'] }); });
  return (
    <Section title="Holidays">
      <form className="row" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label>Day<input type="date" value={day} onChange={(e) => setDay(e.target.value)} required /></label>
        <label className="grow">Name<input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <button type="submit">Add</button>
      </form>
      <ErrorNote error={add.error ?? remove.error} />
      <ul className="list">{list.data?.items.map((h) => <li key={h.day}>{h.day} — {h.name} <button type="button" className="link" onClick={() => void remove.run(h.day)}>Remove<span className="sr"> {h.day}</span></button></li>)}</ul>
    </Section>
  );
}

function Departments() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments') });
  const [name, setName] = useState('');
  const add = useAction(async () => { await post('/departments', { name }); setName(''); await qc.invalidateQueries({ queryKey: ['departments'] }); });
  return (
    <Section title="Departments" count={list.data?.items.length}>
      <form className="row" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label className="grow">New department<input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <button type="submit">Add</button>
      </form>
      <ErrorNote error={add.error} />
      <ul className="list">{list.data?.items.map((d) => <li key={d.id}>{d.name}</li>)}</ul>
    </Section>
  );
}

function Teams() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams') });
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments') });
  const staff = useQuery({ queryKey: ['staff'], queryFn: () => api<{ items: Staff[] }>('/staff?active=true') });
  const [name, setName] = useState('');
  const [dept, setDept] = useState('');
  const add = useAction(async () => { await post('/teams', { name, departmentId: dept ? Number(dept) : null }); setName(''); await qc.invalidateQueries({ queryKey: ['teams'] }); });
  const setLead = useAction(async (team: number, lead: string) => { await patch(`/teams/${team}`, { leadId: lead ? Number(lead) : null }); await qc.invalidateQueries({ queryKey: ['teams'] }); });
  return (
    <Section title="Teams" count={list.data?.items.length}>
      <form className="row" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label className="grow">New team<input value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <label>Department<select value={dept} onChange={(e) => setDept(e.target.value)}><option value="">—</option>{depts.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</select></label>
        <button type="submit">Add</button>
      </form>
      <ErrorNote error={add.error ?? setLead.error} />
      <ul className="list">{list.data?.items.map((t) => (
        <li key={t.id} className="row">
          <span className="grow">{t.name} <span className="meta">({t.memberCount} people)</span></span>
          <label>Lead<select value={t.leadId ?? ''} onChange={(e) => void setLead.run(t.id, e.target.value)}><option value="">—</option>{staff.data?.items.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</select></label>
        </li>
      ))}</ul>
    </Section>
  );
}

function StaffList() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['staff', 'all'], queryFn: () => api<{ items: Staff[] }>('/staff') });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api<{ items: Team[] }>('/teams') });
  const depts = useQuery({ queryKey: ['departments'], queryFn: () => api<{ items: Department[] }>('/departments') });
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, password: '' });
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['staff'] })]);
  const add = useAction(async () => { await post('/staff', { ...form, password: form.password || undefined }); setForm({ name: '', email: '', role: 'agent', password: '' }); await refresh(); });
  const update = useAction(async (id: number, body: object) => { await patch(`/staff/${id}`, body); await refresh(); });
  return (
    <Section title="Staff and roles" count={list.data?.items.length}>
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label>Name<input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required /></label>
        <label>Email<input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} required /></label>
        <label>Role<select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <label>First password<input type="password" autoComplete="new-password" minLength={12} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} /></label>
        <button type="submit">Add person</button>
      </form>
      <ErrorNote error={add.error ?? update.error} />
      <table className="table">
        <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Team</th><th scope="col">Department</th><th scope="col">Active</th></tr></thead>
        <tbody>{list.data?.items.map((s) => (
          <tr key={s.id}>
            <td>{s.name}</td><td>{s.email}</td>
            <td><select aria-label={`Role of ${s.name}`} value={s.role} onChange={(e) => void update.run(s.id, { role: e.target.value })}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></td>
            <td><select aria-label={`Team of ${s.name}`} value={s.teamId ?? ''} onChange={(e) => void update.run(s.id, { teamId: e.target.value ? Number(e.target.value) : null })}><option value="">—</option>{teams.data?.items.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></td>
            <td><select aria-label={`Department of ${s.name}`} value={s.departmentId ?? ''} onChange={(e) => void update.run(s.id, { departmentId: e.target.value ? Number(e.target.value) : null })}><option value="">—</option>{depts.data?.items.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}</select></td>
            <td><input type="checkbox" aria-label={`${s.name} is active`} checked={s.active} onChange={(e) => void update.run(s.id, { active: e.target.checked })} /></td>
          </tr>
        ))}</tbody>
      </table>
    </Section>
  );
}

function Standards() {
  const qc = useQueryClient();
  const dayMinutes = useDayMinutes();
  const list = useQuery({ queryKey: ['standards'], queryFn: () => api<{ items: Standard[] }>('/standards') });
  const [form, setForm] = useState({ caseType: '', channel: '', first: 4, firstUnit: 'h' as Unit, resolution: 2, resolutionUnit: 'd' as Unit });
  const add = useAction(async () => {
    await post('/standards', { caseType: form.caseType || null, channel: form.channel || null,
      firstResponseMinutes: toMinutes(form.first, form.firstUnit, dayMinutes), resolutionMinutes: toMinutes(form.resolution, form.resolutionUnit, dayMinutes) });
    await qc.invalidateQueries({ queryKey: ['standards'] });
  });
  const remove = useAction(async (id: number) => { await api(`/standards/${id}`, { method: 'DELETE' }); await qc.invalidateQueries({ queryKey: ['standards'] }); });
  const unit = (value: Unit, set: (u: Unit) => void, what: string) => (
    <label>{what} unit<select value={value} onChange={(e) => set(e.target.value as Unit)}><option value="min">minutes</option><option value="h">hours</option><option value="d">business days</option></select></label>
  );
  return (
    <Section title="Service standards">
      <p className="meta">Counted in business time: a business day is {readable(dayMinutes, Number.MAX_SAFE_INTEGER)} of opening hours.</p>
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
        <label>Case type (blank: any)<input value={form.caseType} onChange={(e) => setForm({ ...form, caseType: e.target.value })} maxLength={100} /></label>
        <label>Channel<select value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })}><option value="">any</option>{CHANNELS.map((c) => <option key={c}>{c}</option>)}</select></label>
        <label>First response<input type="number" min={0.25} step="any" value={form.first} onChange={(e) => setForm({ ...form, first: Number(e.target.value) })} /></label>
        {unit(form.firstUnit, (u) => setForm({ ...form, firstUnit: u }), 'First response')}
        <label>Resolution<input type="number" min={0.25} step="any" value={form.resolution} onChange={(e) => setForm({ ...form, resolution: Number(e.target.value) })} /></label>
        {unit(form.resolutionUnit, (u) => setForm({ ...form, resolutionUnit: u }), 'Resolution')}
        <button type="submit">Add standard</button>
      </form>
      <ErrorNote error={add.error ?? remove.error} />
      <table className="table">
        <thead><tr><th scope="col">Case type</th><th scope="col">Channel</th><th scope="col">First response</th><th scope="col">Resolution</th><th scope="col"><span className="sr">Actions</span></th></tr></thead>
        <tbody>{list.data?.items.map((s) => (
          <tr key={s.id}><td>{s.caseType ?? 'any'}</td><td>{s.channel ?? 'any'}</td><td>{readable(s.firstResponseMinutes, dayMinutes)}</td><td>{readable(s.resolutionMinutes, dayMinutes)}</td>
            <td><button type="button" className="link" onClick={() => void remove.run(s.id)}>Delete<span className="sr"> standard {s.id}</span></button></td></tr>
        ))}</tbody>
      </table>
    </Section>
  );
}

const KINDS = ['refund', 'credit', 'replacement', 'fee_waiver', 'upgrade', 'other'];

function Authority() {
  const qc = useQueryClient();
  const limits = useQuery({ queryKey: ['authority-limits'], queryFn: () => api<{ items: AuthorityLimit[] }>('/authority-limits') });
  const rules = useQuery({ queryKey: ['policy-rules'], queryFn: () => api<{ items: PolicyRule[] }>('/policy-rules') });
  const [limit, setLimit] = useState({ kind: 'refund', role: 'agent' as Role, amount: 50, currency: 'EUR' });
  const [rule, setRule] = useState({ kind: 'credit', description: '', maxAmount: 30, currency: 'EUR', noClaimDays: 90 });
  const saveLimit = useAction(async () => { await api('/authority-limits', { method: 'PUT', body: limit }); await qc.invalidateQueries({ queryKey: ['authority-limits'] }); });
  const addRule = useAction(async () => { await post('/policy-rules', rule); await qc.invalidateQueries({ queryKey: ['policy-rules'] }); });
  return (
    <Section title="Authority limits and the benefit of the doubt">
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void saveLimit.run(); }}>
        <label>Kind<select value={limit.kind} onChange={(e) => setLimit({ ...limit, kind: e.target.value })}>{KINDS.map((k) => <option key={k}>{k}</option>)}</select></label>
        <label>Role<select value={limit.role} onChange={(e) => setLimit({ ...limit, role: e.target.value as Role })}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
        <label>Up to<input type="number" min={0} step="0.01" value={limit.amount} onChange={(e) => setLimit({ ...limit, amount: Number(e.target.value) })} /></label>
        <label>Currency<input value={limit.currency} maxLength={3} onChange={(e) => setLimit({ ...limit, currency: e.target.value.toUpperCase() })} /></label>
        <button type="submit">Set limit</button>
      </form>
      <ErrorNote error={saveLimit.error} />
      <table className="table">
        <thead><tr><th scope="col">Kind</th><th scope="col">Who</th><th scope="col">Limit</th></tr></thead>
        <tbody>{limits.data?.items.map((l) => <tr key={l.id}><td>{l.kind}</td><td>{l.role ?? `staff #${l.staffId}`}</td><td>{l.amount.toFixed(2)} {l.currency}</td></tr>)}</tbody>
      </table>
      <h3>Policy rules</h3>
      <form className="row wrap" onSubmit={(e) => { e.preventDefault(); void addRule.run(); }}>
        <label>Kind<select value={rule.kind} onChange={(e) => setRule({ ...rule, kind: e.target.value })}>{KINDS.map((k) => <option key={k}>{k}</option>)}</select></label>
        <label>Approve up to<input type="number" min={0} step="0.01" value={rule.maxAmount} onChange={(e) => setRule({ ...rule, maxAmount: Number(e.target.value) })} /></label>
        <label>Currency<input value={rule.currency} maxLength={3} onChange={(e) => setRule({ ...rule, currency: e.target.value.toUpperCase() })} /></label>
        <label>No claim in (days)<input type="number" min={0} value={rule.noClaimDays} onChange={(e) => setRule({ ...rule, noClaimDays: Number(e.target.value) })} /></label>
        <label className="grow">Description<input value={rule.description} onChange={(e) => setRule({ ...rule, description: e.target.value })} required /></label>
        <button type="submit">Add rule</button>
      </form>
      <ErrorNote error={addRule.error} />
      <ul className="list">{rules.data?.items.map((r) => <li key={r.id}>{r.description}: {r.kind} up to {r.maxAmount.toFixed(2)} {r.currency} for customers with no claim in {r.noClaimDays} days</li>)}</ul>
    </Section>
  );
}
