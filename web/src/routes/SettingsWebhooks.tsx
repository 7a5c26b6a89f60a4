/** Settings: outgoing webhooks — endpoints, the events each receives, their secrets and delivery logs. */
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { NewWebhook, RotatedSecret, Webhook } from '../../../src/api-types';
import { api, patch, post } from '../api';
import { when } from '../format';
import { Empty, ErrorNote, Section, useAction } from '../components/ui';
import { EventTypePicker } from '../components/EventTypePicker';
import { SecretOnce, type ShownSecret } from '../components/SecretOnce';
import { WebhookDeliveries } from '../components/WebhookDeliveries';

export function WebhookSettings() {
  const list = useQuery({ queryKey: ['webhooks'], queryFn: () => api<{ items: Webhook[] }>('/webhooks') });
  const [shown, setShown] = useState<ShownSecret | null>(null);
  return (
    <Section title="Webhooks" count={list.data?.items.length}>
      <p className="meta">
        Kept posts the events you choose to your endpoints as they happen, signed by the Standard Webhooks scheme, and retries
        for more than a day; an endpoint that keeps failing is switched off and admins are told.
      </p>
      <AddWebhook onCreated={(w) => setShown({ title: `Signing secret for ${w.url}`, secret: w.secret })} />
      {shown ? <SecretOnce {...shown} onDone={() => setShown(null)} /> : null}
      <h3>Endpoints</h3>
      <ErrorNote error={list.error} />
      {list.data?.items.length ? (
        <ul className="list">{list.data.items.map((w) => <WebhookItem key={w.id} hook={w} onSecret={setShown} />)}</ul>
      ) : list.isPending ? null : <Empty>No endpoints yet: nothing is sent.</Empty>}
    </Section>
  );
}

function AddWebhook({ onCreated }: { onCreated: (w: NewWebhook) => void }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({ url: '', description: '', events: ['*'] });
  const add = useAction(async () => {
    if (!form.events.length) throw new Error('Choose at least one event type, or all events.');
    const created = await post<NewWebhook>('/webhooks', { url: form.url, events: form.events, description: form.description || null });
    setForm({ url: '', description: '', events: ['*'] });
    onCreated(created);
    await qc.invalidateQueries({ queryKey: ['webhooks'] });
  });
  return (
    <form className="stack" onSubmit={(e) => { e.preventDefault(); void add.run(); }}>
      <h3>Add an endpoint</h3>
      <div className="row wrap">
        <label className="grow">Endpoint URL<input type="url" inputMode="url" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} placeholder="https://example.com/kept-events" required /></label>
        <label className="grow">Description<input value={form.description} maxLength={500} onChange={(e) => setForm({ ...form, description: e.target.value })} placeholder="What receives these events" /></label>
      </div>
      <EventTypePicker value={form.events} onChange={(events) => setForm({ ...form, events })} />
      <ErrorNote error={add.error} />
      <div><button type="submit" disabled={add.busy}>Add endpoint</button></div>
    </form>
  );
}

function WebhookItem({ hook, onSecret }: { hook: Webhook; onSecret: (s: ShownSecret) => void }) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [logOpen, setLogOpen] = useState(false);
  const [note, setNote] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['webhooks'] });
  const toggle = useAction(async () => { await patch(`/webhooks/${hook.id}`, { active: !hook.active }); await refresh(); });
  const remove = useAction(async () => { await api(`/webhooks/${hook.id}`, { method: 'DELETE' }); await refresh(); });
  const rotate = useAction(async () => {
    const r = await post<RotatedSecret>(`/webhooks/${hook.id}/rotate-secret`);
    onSecret({ title: `New signing secret for ${hook.url}`, secret: r.secret,
      note: `The previous secret keeps signing alongside until ${when(r.previousSecretValidUntil)}, so your receiver can switch over without losing events.` });
  });
  const test = useAction(async () => {
    await post(`/webhooks/${hook.id}/test`);
    setNote('Test event queued: it goes out within seconds. Refresh the delivery log to see what the endpoint answered.');
    setLogOpen(true);
    await qc.invalidateQueries({ queryKey: ['webhook-deliveries', hook.id] });
  });
  const sr = <span className="sr"> {hook.url}</span>;
  return (
    <li className="hook" data-testid="webhook">
      <div className="url">{hook.url}</div>
      {hook.description ? <div>{hook.description}</div> : null}
      <div className="meta">Events: {hook.events.includes('*') ? 'all events' : hook.events.join(', ')}</div>
      <div className="meta">
        <span className={hook.active ? 'pill kept' : 'pill broken'}>{hook.active ? 'On' : 'Off'}</span>
        {' · '}{hook.pending ?? 0} waiting{' · '}last response: {hook.lastStatusCode ?? 'none yet'}
      </div>
      {hook.active ? null : <p className="meta">Switched off: {hook.disabledReason ?? 'by an admin'}. Waiting deliveries go out when it is switched on again.</p>}
      <div className="row">
        <button type="button" className="secondary" onClick={() => void toggle.run()} disabled={toggle.busy}>{hook.active ? 'Switch off' : 'Switch on'}{sr}</button>
        <button type="button" className="secondary" onClick={() => void test.run()} disabled={test.busy || !hook.active}>Send test event{sr}</button>
        <button type="button" className="secondary" onClick={() => void rotate.run()} disabled={rotate.busy}>Rotate secret{sr}</button>
        <button type="button" className="secondary" aria-expanded={logOpen} onClick={() => setLogOpen(!logOpen)}>Delivery log{sr}</button>
        <button type="button" className="secondary" aria-expanded={confirming} onClick={() => setConfirming(!confirming)}>Delete…{sr}</button>
      </div>
      {confirming ? (
        <div className="row confirm" role="group" aria-label={`Confirm deleting ${hook.url}`}>
          <span className="grow">Delete this endpoint? Its delivery log goes too, and events stop going to it.</span>
          <button type="button" onClick={() => void remove.run()} disabled={remove.busy}>Yes, delete{sr}</button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>Keep it</button>
        </div>
      ) : null}
      <p role="status" className="meta">{note}</p>
      <ErrorNote error={toggle.error ?? test.error ?? rotate.error ?? remove.error} />
      {logOpen ? <WebhookDeliveries webhookId={hook.id} url={hook.url} /> : null}
    </li>
  );
}
